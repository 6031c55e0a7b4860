import { runDrill } from './run-drill';

test('--dry-run: every runbook reads, plans its exact calls in the ledger, and leaves the sandbox unchanged', async () => {
  const { code, results } = await runDrill(['--dry-run', '--json']);
  expect(code).toBe(0);
  expect(results.map((r) => [r.runbook, r.outcome])).toEqual([
    ['lambda-runaway', 'skipped'], ['dynamodb-throttling', 'skipped'], ['ecs-service-recovery', 'skipped'], ['llm-budget-guardrail', 'skipped'],
  ]);
  for (const r of results) {
    expect(r.reason).toMatch(/^dry run/);
    expect(r.resources.after).toEqual(r.resources.before);
    expect(r.actions.length).toBeGreaterThan(0);
    for (const a of r.actions) expect(a).toMatchObject({ planned: true, status: 'planned', auditedBeforeCall: null });
  }
  const plans = results.flatMap((r) => r.actions.map((a) => [a.operation, a.parameters]));
  expect(plans).toEqual([
    ['lambda:PutFunctionConcurrency', { FunctionName: 'cabruca-segmentation-prod-researcher-agent', ReservedConcurrentExecutions: 0 }],
    ['dynamodb:UpdateTable', { TableName: 'cabruca-segmentation-prod-agent-tasks', BillingMode: 'PAY_PER_REQUEST' }],
    ['ecs:UpdateService', { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-admin-prod', forceNewDeployment: true }],
    ['ssm:PutParameter', { Name: '/alphaswarm/prod/llm_model_preference', Value: 'anthropic.claude-haiku-4-5-20251022-v1:0', Type: 'String', Overwrite: true }],
    ['ecs:UpdateService', { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-agentcore-proxy-prod', forceNewDeployment: true }],
  ]);
  // Diagnosis still read the real state: the plan records the value each call would replace.
  expect(results[0]!.actions[0]!.before).toBeNull();
});
