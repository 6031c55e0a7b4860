import type { AwsCallReceived } from '../../drill/drill';
import { SEED_PROCEDURES } from '../../runbooks/seed-procedures';
import { runDrill, scenario } from './run-drill';

const callsOf = (r: unknown) => (r as { calls: AwsCallReceived[] }).calls;
const of = (calls: readonly AwsCallReceived[], service: string, operation: string) => calls.filter((c) => c.service === service && c.operation === operation);
const published = (calls: readonly AwsCallReceived[], topic: 'critical' | 'info') => of(calls, 'sns', 'Publish').filter((c) => String(c.input.TopicArn).endsWith(`-${topic}`));
/** Every call besides admit's switch reads, the ledger's, the notifications and the report: none. */
const others = (calls: readonly AwsCallReceived[]) => calls.filter((c) => !['GetParameter', 'Publish', 'PutObject'].includes(c.operation) && c.service !== 'dynamodb');

// The contract suite's run of its recorded event and sample (the same command runs once).
const EVENTS = ['--event', 'events/page-on-call.alarm.json', '--event', 'events/samples/page-on-call-position-stuck.alarm.json', '--json', '--calls'];

test("each configured alarm pages the critical topic with its seed procedure's steps and the alarm; nothing read, nothing changed", async () => {
  const { code, results: [crashLoop, positionStuck] } = await runDrill(EVENTS);
  expect(code).toBe(0);
  expect(crashLoop).toMatchObject({
    runbook: 'page-on-call', outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }], actions: [],
    reason: expect.stringMatching(/^Seed 001 "Scenario A: single pod crashes": alarm alphaswarm-prod-core-crashloop went to ALARM at 2026-12-06T03:12:41\.377\+0000 on ContainerInsights pod_number_of_container_restarts \{ClusterName=alphaswarm-prod, Namespace=alphaswarm, PodName=alphaswarm-core\} \(Sum, 60 s\)\./),
  });
  const page = published(callsOf(crashLoop), 'critical').map((c) => String(c.input.Message)).join('\n');
  for (const step of SEED_PROCEDURES['pod-crashes'].steps) expect(page).toContain(step);
  expect(page).toContain('Threshold Crossed: 3 out of the last 3 datapoints');
  expect(others(callsOf(crashLoop))).toEqual([]);

  expect(positionStuck).toMatchObject({
    outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }],
    reason: expect.stringContaining('Seed 004 "Position Stuck" (Critical): alarm tradai-prod-position-stuck went to ALARM'),
  });
  expect(positionStuck!.reason).toContain('expression stuck = open - tracked (positions open on the exchange that the strategy does not track); TradAI/Trading ExchangeOpenPositions {Environment=prod} (Maximum, 300 s)');
  expect(others(callsOf(positionStuck))).toEqual([]);
});

test('switched off, the alarm pages nobody: the info topic is told why', async () => {
  const { results: [r] } = await runDrill(['--scenario', scenario('page-on-call-switched-off'), '--event', 'events/page-on-call.alarm.json', '--json', '--calls']);
  expect(r).toMatchObject({ outcome: 'skipped', notifications: [{ outcome: 'skipped', topic: 'info' }], reason: expect.stringContaining('page-on-call is switched off') });
  expect(published(callsOf(r), 'critical')).toEqual([]);
});
