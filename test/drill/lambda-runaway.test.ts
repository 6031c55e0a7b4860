import { runDrill, scenarioDrill } from './run-drill';

const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';

test('happy path: reserved concurrency none -> 0, then (the drill needs no approver by default) restored to 5; ledger rows of intent before each call', async () => {
  const { code, results: [r] } = await runDrill(['lambda-runaway', '--json']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'lambda-runaway', outcome: 'remediated' });
  expect(r!.actions).toEqual([
    { operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, before: null, after: 0, status: 'succeeded', auditedBeforeCall: true },
    { operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, before: 0, after: 5, status: 'succeeded', auditedBeforeCall: true },
  ]);
  expect(r!.approvals).toEqual([expect.objectContaining({ approver: '(policy)', decision: 'auto-approved' })]);
  expect(r!.resources).toMatchObject({ before: { [FUNCTION]: { reservedConcurrency: null } }, after: { [FUNCTION]: { reservedConcurrency: 5 } } });
  expect([Object.keys(r!.resources.before), Object.keys(r!.resources.after)]).toEqual([[FUNCTION], [FUNCTION]]);
  expect(r!.ledger[0]).toMatchObject({ incidentId: r!.incidentId, executionArn: r!.executionArn, before: null, after: 0 });
  expect(r!.notifications).toEqual([{ outcome: 'remediated', topic: 'info' }]);
});

test('already remediated: a function already at 0 is left alone', async () => {
  const { results: [r] } = await scenarioDrill('lambda-runaway', 'function-already-stopped');
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('already stopped') });
  expect(r!.actions).toEqual([]);
});

test('target missing: a configured function that no longer exists escalates and changes nothing', async () => {
  const { results: [r] } = await scenarioDrill('lambda-runaway', 'function-deleted');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('does not exist') });
  expect(r!.actions).toEqual([]);
  expect(r!.notifications).toEqual([{ outcome: 'escalated', topic: 'critical' }]);
});

test('throttled API: the stop is retried by the state machine and lands once', async () => {
  // Four throttles outlast the SDK's own three attempts, so the state machine's Retry must act.
  const { results: [r] } = await runDrill(['lambda-runaway', '--fault', 'lambda:PutFunctionConcurrency=throttlingx4', '--json']);
  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.timeline).toContainEqual(expect.objectContaining({ state: 'Stop function: reserved concurrency 0', event: 'retried', detail: expect.stringContaining('AwsThrottled') }));
  expect(r!.actions).toEqual([
    expect.objectContaining({ before: null, after: 0, status: 'succeeded', auditedBeforeCall: true }),
    expect.objectContaining({ before: 0, after: 5, status: 'succeeded', auditedBeforeCall: true }),
  ]);
});

test('duplicate delivery of one alarm transition remediates once', async () => {
  const { results } = await runDrill([
    '--event', 'events/samples/duplicate-delivery/first.alarm.json',
    '--event', 'events/samples/duplicate-delivery/second.alarm.json', '--json',
  ]);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'skipped']);
  expect(results[1]!.reason).toMatch(/^duplicate: already handled by .*execution/);
  expect(results[1]!.actions).toEqual([]);
  expect(results[0]!.incidentId).toBe(results[1]!.incidentId);
});

test('a new alarm transition on the same function within the cooldown is held, not acted on', async () => {
  const { results } = await runDrill(['--event', 'events/lambda-runaway.alarm.json', '--event', 'events/samples/lambda-runaway-refired.alarm.json', '--json']);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'skipped']);
  expect(results[1]!.reason).toMatch(/cooling down until/);
  expect(results[1]!.incidentId).not.toBe(results[0]!.incidentId);
  expect(results[1]!.actions).toEqual([]);
});

test('single-metric, anomaly-detection and metric-math alarms each route to the function they name', async () => {
  const { results } = await runDrill(['--event', 'events/lambda-runaway.alarm.json', '--event', 'events/samples/anomaly-detection.alarm.json', '--event', 'events/samples/metric-math-lambda.alarm.json', '--json']);
  // researcher, then engineer (anomaly band), then qa (concurrency as % of limit): three targets, each stopped then restored.
  expect(results.map((r) => [r.outcome, r.actions.map((a) => a.target)])).toEqual([
    ['remediated', [FUNCTION, FUNCTION]],
    ['remediated', ['cabruca-segmentation-prod-engineer-agent', 'cabruca-segmentation-prod-engineer-agent']],
    ['remediated', ['cabruca-segmentation-prod-qa-agent', 'cabruca-segmentation-prod-qa-agent']],
  ]);
});

describe('after the stop: what invokes the function (seed 003 section 4, investigate cause)', () => {
  test('the notification names the rules and the bucket notification that invoke it, read after the stop was verified', async () => {
    const { results: [r] } = await runDrill(['lambda-runaway', '--json']);
    expect(r).toMatchObject({ outcome: 'remediated' });
    expect(r!.reason).toContain(
      'invoked by: rule cabruca-segmentation-prod-researcher-nightly (cron(0 3 * * ? *), DISABLED); '
      + 'rule cabruca-segmentation-prod-researcher-poll (rate(1 minute), ENABLED); '
      + 's3://cabruca-segmentation-prod-agent-queue s3:ObjectCreated:* prefix uploads/',
    );
    expect(r!.reason).not.toContain('unavailable');
    const states = r!.timeline.map((t) => t.state);
    expect(states.indexOf('Find what invokes the function')).toBeGreaterThan(states.indexOf('Verify function stopped'));
    // Read-only: the changes are the stop and (auto-approved in config/drill.json) the restore to 5.
    expect(r!.actions.map((a) => [a.operation, a.after])).toEqual([['lambda:PutFunctionConcurrency', 0], ['lambda:PutFunctionConcurrency', 5]]);
    expect(states.indexOf('Prepare restore approval')).toBeGreaterThan(states.indexOf('Find what invokes the function'));
  });

  test('evidence that cannot be read does not undo the stop: S3 access denied is reported as unavailable', async () => {
    // prod policy, nobody answers: the function stays stopped and the escalation carries the evidence.
    const { results: [r] } = await runDrill(['lambda-runaway', '--env', 'prod', '--no-answer', '--fault', 's3:GetBucketNotificationConfiguration=access-deniedx50', '--json']);
    expect(r).toMatchObject({ outcome: 'escalated' });
    expect(r!.resources.after[FUNCTION]).toMatchObject({ reservedConcurrency: 0 });
    expect(r!.reason).toMatch(/rule cabruca-segmentation-prod-researcher-poll \(rate\(1 minute\), ENABLED\).*evidence unavailable: S3 notifications of cabruca-segmentation-prod-agent-queue: AwsAccessDenied/);
  });

  test('EventBridge throttling that outlasts every retry: the step is retried, then the runbook notifies without evidence', async () => {
    const { results: [r] } = await runDrill(['lambda-runaway', '--env', 'prod', '--no-answer', '--fault', 'events:ListRuleNamesByTarget=throttlingx500', '--json']);
    expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('evidence unavailable: AwsThrottled') });
    const events = r!.timeline.filter((t) => t.state === 'Find what invokes the function').map((t) => t.event);
    expect(events).toContain('retried');
    expect(events).toContain('caught');
    expect(r!.resources.after[FUNCTION]).toMatchObject({ reservedConcurrency: 0 });
  });
});
