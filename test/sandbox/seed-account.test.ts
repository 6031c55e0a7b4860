import { AGENT_FUNCTIONS, OTHER_FUNCTIONS, COST_BUCKET_TAG, seedAccountState, TOPIC_ARNS } from '../../drill/sandbox';
import { TIMEOUT_FUNCTION } from '../../drill/sandbox/seed-timeouts';
import { LEVEL_TOPICS } from '../../drill/sandbox/seed-paged-alarms';

test('the seed is plain JSON', () => {
  const state = seedAccountState();

  expect(JSON.parse(JSON.stringify(state))).toEqual(state);
});

test('the seed models the seed systems', () => {
  const state = seedAccountState();

  expect(Object.keys(state.lambda.functions)).toEqual([...AGENT_FUNCTIONS, ...OTHER_FUNCTIONS, TIMEOUT_FUNCTION]);
  expect(state.lambda.functions['cabruca-segmentation-prod-manager-agent']?.reservedConcurrency).toBe(50);
  expect(state.lambda.functions['cabruca-segmentation-prod-researcher-agent']?.reservedConcurrency).toBeNull();
  expect(state.costs).toMatchObject({ total: 1260, byTag: { [COST_BUCKET_TAG.key]: { [COST_BUCKET_TAG.value]: 900 } } });
  // The stack's topics, and the team's own pager topics (L2, L3) beside them.
  expect(state.sns.topics).toEqual([TOPIC_ARNS.critical, TOPIC_ARNS.info, TOPIC_ARNS.budget, TOPIC_ARNS.approvals, LEVEL_TOPICS.L2, LEVEL_TOPICS.L3]);
  expect(TOPIC_ARNS.budget).toBe('arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-drill-budget');
});

test('a deep-partial override changes only what it names', () => {
  const state = seedAccountState({ lambda: { functions: { 'cabruca-segmentation-prod-qa-agent': { reservedConcurrency: 7 } } }, costs: { total: 2000 } });

  expect(state.lambda.functions['cabruca-segmentation-prod-qa-agent']).toMatchObject({ reservedConcurrency: 7, runtime: 'python3.12' });
  expect(state.lambda.functions['cabruca-segmentation-prod-manager-agent']?.reservedConcurrency).toBe(50);
  expect(state.costs).toMatchObject({ total: 2000, currency: 'USD' });
});

test('a function override can edit the state in place', () => {
  const state = seedAccountState((s) => {
    s.sns.topics = [];
  });

  expect(state.sns.topics).toEqual([]);
});

test('overrides never leak into the next seed', () => {
  seedAccountState((s) => {
    s.costs.byTag[COST_BUCKET_TAG.key] = {};
  });

  expect(seedAccountState().costs.byTag[COST_BUCKET_TAG.key]).toEqual({ [COST_BUCKET_TAG.value]: 900 });
});
