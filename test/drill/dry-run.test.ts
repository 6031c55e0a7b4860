import { RUNBOOKS } from '../../runbooks/registry';
import { runDrill } from './run-drill';

/** Runbooks that only read and page: nothing to plan, their dry run pages as their run does. */
const PAGE_ONLY = new Set<string>(RUNBOOKS.filter((m) => m.drill.ends === 'escalated').map((m) => m.name));

test('--dry-run: every runbook reads, plans its exact calls in the ledger (one that only pages pages), and leaves the sandbox unchanged', async () => {
  const { code, results } = await runDrill(['--dry-run', '--json']);
  expect(code).toBe(0);
  expect(results.map((r) => [r.runbook, r.outcome])).toEqual(RUNBOOKS.map((m) => [m.name, PAGE_ONLY.has(m.name) ? 'escalated' : 'skipped']));
  for (const r of results.filter((x) => PAGE_ONLY.has(x.runbook ?? ''))) {
    expect(r.actions).toEqual([]);
    expect(r.resources.after).toEqual(r.resources.before);
  }
  for (const r of results.filter((x) => !PAGE_ONLY.has(x.runbook ?? ''))) {
    expect(r.reason).toMatch(/^dry run/);
    expect(r.resources.after).toEqual(r.resources.before);
    expect(r.actions.length).toBeGreaterThan(0);
    for (const a of r.actions) expect(a).toMatchObject({ planned: true, status: 'planned', auditedBeforeCall: null });
  }
  const plansOf = (runbook: string) => results.filter((r) => r.runbook === runbook).flatMap((r) => r.actions.map((a) => [a.operation, a.parameters]));
  expect(plansOf('lambda-runaway')).toEqual([
    ['lambda:PutFunctionConcurrency', { FunctionName: 'cabruca-segmentation-prod-researcher-agent', ReservedConcurrentExecutions: 0 }],
  ]);
  expect(plansOf('dynamodb-throttling')).toEqual([['dynamodb:UpdateTable', { TableName: 'cabruca-segmentation-prod-agent-tasks', BillingMode: 'PAY_PER_REQUEST' }]]);
  expect(plansOf('ecs-service-recovery')).toEqual([['ecs:UpdateService', { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-admin-frontend-prod', forceNewDeployment: true }]]);
  expect(plansOf('llm-budget-guardrail')).toEqual([
    ['ssm:PutParameter', { Name: '/alphaswarm/prod/llm_model_preference', Value: 'anthropic.claude-haiku-4-5-20251022-v1:0', Type: 'String', Overwrite: true }],
    ['ecs:UpdateService', { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-agentcore-proxy-prod', forceNewDeployment: true }],
  ]);
  // Diagnosis still read the real state: the plan records the value each call would replace.
  expect(results.find((r) => r.runbook === 'lambda-runaway')!.actions[0]!.before).toBeNull();
});
