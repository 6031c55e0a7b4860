import type { AwsCallReceived } from '../../drill/drill';
import {
  ASSUMED_SESSION_TOKEN, CI_DEPLOYER_KEY, CI_DEPLOYER_OLD_KEY, CI_DEPLOYER_USER, ORIGIN_SECRET_KEY, ORIGIN_SECRET_LEAKED_VALUE, ORIGIN_SECRET_PARAMETER, ORIGIN_SECRET_VERSION,
} from '../../drill/sandbox';
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

describe('a configured secret whose version leaked (seed 000 "Rotate Cloudflare origin secret")', () => {
  const ROTATE = 'events/samples/credential-exposure-rotate-secret.manual-start.json';
  const FRONTEND = 'alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod';
  /** Anything the size of the new value (32 bytes, hex): the output holds digests of 8 hex digits, never 64. */
  const SECRET_SIZED = /[0-9a-f]{64}/;

  test('is rotated to a new SecureString version with its own key, its service redeployed and rolled out; no value anywhere', async () => {
    const { code, stdout, results: [r] } = await runDrill(['--event', ROTATE, '--json', '--calls']);
    expect(code).toBe(0);
    expect(r).toMatchObject({ runbook: 'credential-exposure', outcome: 'remediated', notifications: [{ outcome: 'remediated', topic: 'critical' }] });
    expect(r!.reason).toContain(`${ORIGIN_SECRET_PARAMETER} rotated from the leaked version ${ORIGIN_SECRET_VERSION} to version ${ORIGIN_SECRET_VERSION + 1}`);
    expect(r!.actions).toEqual([
      expect.objectContaining({
        operation: 'ssm:PutParameter', target: ORIGIN_SECRET_PARAMETER, status: 'succeeded', auditedBeforeCall: true,
        before: { type: 'SecureString', version: ORIGIN_SECRET_VERSION }, after: { type: 'SecureString', version: ORIGIN_SECRET_VERSION + 1 },
      }),
      expect.objectContaining({ operation: 'ecs:UpdateService', target: FRONTEND, status: 'succeeded' }),
    ]);
    const [put] = of(callsOf(r), 'ssm', 'PutParameter');
    expect(put!.input).toMatchObject({ Name: ORIGIN_SECRET_PARAMETER, Type: 'SecureString', KeyId: ORIGIN_SECRET_KEY, Overwrite: true });
    expect(String(put!.input.Value)).toContain('64 characters: not recorded');
    expect(of(callsOf(r), 'ssm', 'GetParameter').every((c) => c.input.WithDecryption === false)).toBe(true);
    expect(of(callsOf(r), 'ecs', 'UpdateService').map((c) => c.input)).toEqual([expect.objectContaining({ cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-admin-frontend-prod', forceNewDeployment: true })]);
    // Neither the leaked value nor the new one: not in a row, a page, the report, the call log or a resource.
    expect(stdout).not.toContain(ORIGIN_SECRET_LEAKED_VALUE);
    // (The report's S3 upload carries its body's SHA-256, the one 64-digit hex the output may hold.)
    expect(stdout.replace(/ContentSHA256\W+[0-9a-f]{64}/g, '')).not.toMatch(SECRET_SIZED);
  });

  test('a service that does not roll out: escalated, saying the secret is rotated and which services may still hold the leaked value', async () => {
    const { results: [r] } = await runDrill(['--scenario', scenario('origin-secret-rollout-fails'), '--event', ROTATE, '--json']);
    expect(r).toMatchObject({ outcome: 'escalated' });
    expect(r!.reason).toContain(`${ORIGIN_SECRET_PARAMETER} is rotated to version ${ORIGIN_SECRET_VERSION + 1}, but the forced deployment of ${FRONTEND} failed`);
    expect(r!.actions.map((a) => a.operation)).toEqual(['ssm:PutParameter', 'ecs:UpdateService']);
  });

  test('already rotated by hand: nothing written, nothing redeployed, paged as such', async () => {
    const { results: [r] } = await runDrill(['--scenario', scenario('origin-secret-already-rotated'), '--event', ROTATE, '--json', '--calls']);
    expect(r).toMatchObject({ outcome: 'skipped', actions: [], notifications: [{ outcome: 'skipped', topic: 'critical' }] });
    expect(r!.reason).toContain(`is at version 5, after the leaked version ${ORIGIN_SECRET_VERSION}: it was rotated already`);
    expect(callsOf(r).filter((c) => (c.service === 'ssm' && c.operation === 'PutParameter') || c.service === 'ecs')).toEqual([]);
  });

  test('an answer lost after the write: the retry finds the new version and writes no second one', async () => {
    const { results: [r] } = await runDrill(['--fault', 'ssm:PutParameter=applied-timeout', '--event', ROTATE, '--json', '--calls']);
    expect(r).toMatchObject({ outcome: 'remediated' });
    expect(r!.actions[0]).toMatchObject({ operation: 'ssm:PutParameter', status: 'succeeded', after: { version: ORIGIN_SECRET_VERSION + 1 } });
    expect(of(callsOf(r), 'ssm', 'PutParameter')).toHaveLength(1);
    expect((r!.resources.after[ORIGIN_SECRET_PARAMETER] as { version: number }).version).toBe(ORIGIN_SECRET_VERSION + 1);
  });

  test('the write failing after its Retry fails the run there; the redrive writes one version and goes on', async () => {
    const { results: [r] } = await runDrill(['--fault', 'ssm:PutParameter=server-errorx20', '--event', ROTATE, '--then-redrive', '--json']);
    expect(r!.runs.map((run) => [run.status, run.failedAt ?? null])).toEqual([['FAILED', 'Rotate the secret'], ['SUCCEEDED', null]]);
    expect(r).toMatchObject({ outcome: 'remediated' });
    expect(r!.runs.flatMap((run) => run.calls).filter((c) => c.operation === 'ssm:PutParameter' && c.applied)).toHaveLength(1);
    expect((r!.resources.after[ORIGIN_SECRET_PARAMETER] as { version: number }).version).toBe(ORIGIN_SECRET_VERSION + 1);
  });

  test('a dry run plans the new version and the redeploy, and makes neither', async () => {
    const { results: [r] } = await runDrill(['--dry-run', '--event', ROTATE, '--json', '--calls']);
    expect(r!.actions.map((a) => [a.operation, a.status])).toEqual([['ssm:PutParameter', 'planned'], ['ecs:UpdateService', 'planned']]);
    expect(callsOf(r).filter((c) => c.operation === 'PutParameter' || c.operation === 'UpdateService')).toEqual([]);
  });
});
