/**
 * Allowlisting by tag, end to end: config/drill.json allowlists lambda-runaway targets by the tag
 * runbook-autopilot:allow=true besides its named functions. A tagged function nobody named is
 * remediated; an untagged one is rejected at admit with one line, and nothing changes.
 */
import { runDrill } from './run-drill';

test('a tagged, unlisted function is remediated; an untagged, unlisted one is rejected and left unchanged', async () => {
  const { code, results: [tagged, untagged] } = await runDrill([
    '--event', 'events/samples/tag-allowlisted-target.alarm.json',
    '--event', 'events/samples/unconfigured-target.alarm.json', '--json',
  ]);
  expect(code).toBe(0);
  expect(tagged).toMatchObject({ runbook: 'lambda-runaway', outcome: 'remediated' });
  expect(tagged!.timeline).toContainEqual(expect.objectContaining({ state: 'Admit: dedupe, allowlist, switches, cooldown', detail: expect.stringContaining('a target allowlisted by tag') }));
  expect(tagged!.actions).toEqual([expect.objectContaining({ operation: 'lambda:PutFunctionConcurrency', target: 'cabruca-segmentation-prod-annotator-agent', before: null, after: 0, auditedBeforeCall: true })]);

  expect(untagged).toMatchObject({
    runbook: 'lambda-runaway', outcome: 'rejected', actions: [],
    reason: 'tradai-prod-signal-ingest is not a configured target of lambda-runaway and does not carry runbook-autopilot:allow=true',
  });
  expect(untagged!.resources.before).toEqual(untagged!.resources.after);
});
