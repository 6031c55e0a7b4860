import { runDrill, scenarioDrill } from './run-drill';

const PARAMETER = '/alphaswarm/prod/llm_model_preference';
const PROXY = 'alphaswarm-cluster-prod/alphaswarm-agentcore-proxy-prod';
const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU = 'anthropic.claude-haiku-4-5-20251022-v1:0';

test('happy path: Bedrock drives the spend -> cheaper model + redeploy, then restore + redeploy after the wait', async () => {
  const { code, results: [r] } = await runDrill(['llm-budget-guardrail', '--json']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'llm-budget-guardrail', outcome: 'remediated', reason: expect.stringContaining('restored') });
  expect(r!.actions.map((a) => [a.operation, a.target, a.before, a.after, a.auditedBeforeCall])).toEqual([
    ['ssm:PutParameter', PARAMETER, SONNET, HAIKU, true],
    ['ecs:UpdateService', PROXY, expect.anything(), expect.anything(), true],
    ['ssm:PutParameter', PARAMETER, HAIKU, SONNET, true],
    ['ecs:UpdateService', PROXY, expect.anything(), expect.anything(), true],
  ]);
  expect(r!.timeline).toContainEqual(expect.objectContaining({ state: 'Wait before restoring the model' }));
  expect((r!.resources.after[PARAMETER] as { value: string }).value).toBe(SONNET);
});

test('Bedrock is not the driver: notify only, nothing changes', async () => {
  const { results: [r] } = await scenarioDrill('llm-budget-guardrail', 'bedrock-not-the-driver');
  expect(r).toMatchObject({ outcome: 'skipped' });
  expect(r!.actions).toEqual([]);
  expect(r!.notifications).toEqual([{ outcome: 'skipped', topic: 'info' }]);
});

test('throttled API: PutParameter throttled past the SDK retries is retried by the state machine', async () => {
  const { results: [r] } = await runDrill(['llm-budget-guardrail', '--fault', 'ssm:PutParameter=throttlingx4', '--json']);
  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.timeline).toContainEqual(expect.objectContaining({ state: 'Switch model preference', event: 'retried' }));
  expect(r!.actions).toHaveLength(4);
});

test('a redelivered budget notification starts no second run', async () => {
  const { results } = await runDrill(['--event', 'events/llm-budget-guardrail.sns.json', '--event', 'events/llm-budget-guardrail.sns.json', '--json']);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'skipped']);
  expect(results[1]!.actions).toEqual([]);
});

test('a bare SNS envelope (as SNS posts over HTTP) is delivered the way Lambda receives it', async () => {
  const { code, results: [r] } = await runDrill(['--event', 'events/samples/budget-bare-message.json', '--json']);
  expect(code).toBe(0);
  expect(r!.runbook).toBe('llm-budget-guardrail');
});

test('already remediated: a preference already on the cheaper model is left alone', async () => {
  const { results: [r] } = await scenarioDrill('llm-budget-guardrail', 'model-already-cheaper');
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('already the cheaper model') });
  expect(r!.actions).toEqual([]);
});

test('target missing: a deleted model parameter escalates and changes nothing', async () => {
  const { results: [r] } = await scenarioDrill('llm-budget-guardrail', 'model-parameter-deleted');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('does not exist') });
  expect(r!.actions).toEqual([]);
});
