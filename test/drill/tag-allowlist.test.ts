/**
 * Allowlisting by tag, end to end: config/drill.json allowlists lambda-runaway targets by the tag
 * runbook-autopilot:allow=true besides its named functions. A tagged function nobody named is
 * remediated; an untagged one is rejected at admit with one line, and nothing changes.
 */
import { runDrill, scenarioDrill } from './run-drill';

test('a tagged, unlisted function is remediated; an untagged, unlisted one is rejected and left unchanged', async () => {
  const { code, results: [tagged, untagged] } = await runDrill([
    '--event', 'events/samples/tag-allowlisted-target.alarm.json',
    '--event', 'events/samples/unconfigured-target.alarm.json', '--json',
  ]);
  expect(code).toBe(0);
  expect(tagged).toMatchObject({ runbook: 'lambda-runaway', outcome: 'remediated' });
  expect(tagged!.timeline).toContainEqual(expect.objectContaining({ state: 'Admit: dedupe, allowlist, switches, cooldown', detail: expect.stringContaining('a target allowlisted by tag') }));
  // The stop, then (auto-approved in config/drill.json) the restore to 5, both on the tagged function.
  expect(tagged!.actions).toEqual([
    expect.objectContaining({ operation: 'lambda:PutFunctionConcurrency', target: 'cabruca-segmentation-prod-annotator-agent', before: null, after: 0, auditedBeforeCall: true }),
    expect.objectContaining({ operation: 'lambda:PutFunctionConcurrency', target: 'cabruca-segmentation-prod-annotator-agent', before: 0, after: 5, auditedBeforeCall: true }),
  ]);

  expect(untagged).toMatchObject({
    runbook: 'lambda-runaway', outcome: 'rejected', actions: [],
    reason: 'tradai-prod-signal-ingest is not a configured target of lambda-runaway and does not carry runbook-autopilot:allow=true',
  });
  expect(untagged!.resources.before).toEqual(untagged!.resources.after);
});

test('dynamodb-throttling: a table named nowhere but tagged is switched; with a tag it lacks, it is rejected and unchanged', async () => {
  const [allowed, refused] = await Promise.all([
    scenarioDrill('dynamodb-throttling', 'table-allowlisted-by-tag'),
    scenarioDrill('dynamodb-throttling', 'table-not-allowlisted'),
  ]);
  expect(allowed.results[0]).toMatchObject({ outcome: 'remediated' });
  expect(allowed.results[0]!.actions).toEqual([expect.objectContaining({ operation: 'dynamodb:UpdateTable', target: 'cabruca-segmentation-prod-agent-tasks', auditedBeforeCall: true })]);
  expect(refused.results[0]).toMatchObject({
    outcome: 'rejected', actions: [],
    reason: 'cabruca-segmentation-prod-agent-tasks is not a configured target of dynamodb-throttling and does not carry runbook-autopilot:allow=dynamodb-throttling',
  });
});

test('reading the tags is retried when throttled, and a read that never succeeds fails the run without acting', async () => {
  const event = ['--event', 'events/samples/tag-allowlisted-target.alarm.json', '--json'];
  const [burst, denied] = await Promise.all([
    runDrill([...event, '--fault', 'lambda:ListTags=throttlingx4']),
    runDrill([...event, '--fault', 'lambda:ListTags=access-deniedx50']),
  ]);
  expect(burst.results[0]).toMatchObject({ outcome: 'remediated' });
  expect(burst.results[0]!.timeline).toContainEqual(expect.objectContaining({ state: 'Admit: dedupe, allowlist, switches, cooldown', event: 'retried' }));
  expect(denied.results[0]).toMatchObject({ outcome: 'failed', actions: [], reason: expect.stringContaining('lambda:ListTags') });
  expect(denied.results[0]!.runs).toEqual([expect.objectContaining({ status: 'FAILED', failedAt: 'Admit: dedupe, allowlist, switches, cooldown' })]);
  expect(denied.results[0]!.notifications).toEqual([{ outcome: 'failed', topic: 'critical', via: 'rule' }]);
});
