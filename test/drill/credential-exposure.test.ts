import type { AwsCallReceived } from '../../drill/drill';
import { ASSUMED_SESSION_TOKEN, CI_DEPLOYER_KEY, CI_DEPLOYER_OLD_KEY, CI_DEPLOYER_USER } from '../../drill/sandbox';
import { runDrill, scenario } from './run-drill';

const EVENT = 'events/credential-exposure.event.json';
const HEALTH = 'events/samples/credential-exposure-health.event.json';
const callsOf = (r: unknown) => (r as { calls: AwsCallReceived[] }).calls;
const of = (calls: readonly AwsCallReceived[], service: string, operation: string) => calls.filter((c) => c.service === service && c.operation === operation);
const pagesOf = (calls: readonly AwsCallReceived[]) => of(calls, 'sns', 'Publish').filter((c) => String(c.input.TopicArn).endsWith('-critical')).map((c) => String(c.input.Message));
const keysOf = (r: unknown, when: 'before' | 'after') => ((r as { resources: Record<string, Record<string, unknown>> }).resources[when]![CI_DEPLOYER_USER] as { accessKeys: unknown }).accessKeys;

test('the GuardDuty finding deactivates the key at once and pages what it did; the Health event that follows finds it inactive and changes nothing', async () => {
  const { code, stdout, results: [finding, health] } = await runDrill(['--event', EVENT, '--event', HEALTH, '--json', '--calls']);
  expect(code).toBe(0);
  // The session token CloudTrail recorded for the role the key assumed reaches CloudTrail's answer, and nothing of the drill's:
  // not a ledger row, a notification, the report, the incident's evidence or a call the runbook made.
  expect(stdout).toContain('AssumeRole');
  expect(stdout).not.toContain(ASSUMED_SESSION_TOKEN);

  expect(finding).toMatchObject({ runbook: 'credential-exposure', outcome: 'remediated', notifications: [{ outcome: 'remediated', topic: 'critical' }] });
  expect(finding!.actions).toEqual([expect.objectContaining({
    operation: 'iam:UpdateAccessKey', target: CI_DEPLOYER_USER, before: { [CI_DEPLOYER_KEY]: 'Active' }, after: { [CI_DEPLOYER_KEY]: 'Inactive' },
    status: 'succeeded', auditedBeforeCall: true,
  })]);
  const calls = callsOf(finding);
  expect(of(calls, 'iam', 'UpdateAccessKey').map((c) => c.input)).toEqual([{ UserName: CI_DEPLOYER_USER, AccessKeyId: CI_DEPLOYER_KEY, Status: 'Inactive' }]);
  expect(of(calls, 'cloudtrail', 'LookupEvents').map((c) => c.input)).toEqual([expect.objectContaining({
    LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: CI_DEPLOYER_KEY }], MaxResults: 50,
  })]);
  // Only the key the finding names: the user's other key is as it was.
  expect(keysOf(finding, 'before')).toEqual({ [CI_DEPLOYER_KEY]: 'Active', [CI_DEPLOYER_OLD_KEY]: 'Inactive' });
  expect(keysOf(finding, 'after')).toEqual({ [CI_DEPLOYER_KEY]: 'Inactive', [CI_DEPLOYER_OLD_KEY]: 'Inactive' });
  // The page: what the key did (calls, services, source IPs), and the rotation left to a human.
  const [page] = pagesOf(calls);
  for (const text of ['sts:AssumeRole', 'iam:CreateAccessKey', 's3:ListBuckets', 'sts:GetCallerIdentity', '198.51.100.23', '203.0.113.10', 'now rotate it']) expect(page).toContain(text);

  expect(health).toMatchObject({ runbook: 'credential-exposure', outcome: 'skipped' });
  expect(of(callsOf(health), 'iam', 'UpdateAccessKey')).toEqual([]);
});

test('a key someone already deactivated: nothing changed, paged as such', async () => {
  const { results: [r] } = await runDrill(['--scenario', scenario('access-key-already-inactive'), '--event', EVENT, '--json', '--calls']);

  expect(r).toMatchObject({ outcome: 'skipped', notifications: [{ outcome: 'skipped', topic: 'critical' }], actions: [] });
  expect(r!.reason).toBe(`access key ${CI_DEPLOYER_KEY} of ${CI_DEPLOYER_USER} is already inactive: nothing changed; rotate it and review its use if that was not done`);
  expect(of(callsOf(r), 'iam', 'UpdateAccessKey')).toEqual([]);
});

test('the undo asks an approver even where the policy asks none (the drill): nobody answering, the key stays inactive', async () => {
  const { results: [r] } = await runDrill(['--event', EVENT, '--then-undo', '--json']);

  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.undo).toMatchObject({ outcome: 'escalated', actions: [] });
  expect(r!.undo!.resources).toEqual([expect.objectContaining({ name: CI_DEPLOYER_USER, equalsStart: false })]);
});
