import { SSMClient } from '@aws-sdk/client-ssm';
import { AdmissionReader, DEFAULT_SWITCH_MAX_AGE_SECONDS, switchMaxAgeSeconds } from '../../../lambdas/admit/admission-reader';
import { admissionParameterNames, switchParameterNames } from '../../../lambdas/domain/switches';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION, seedAccountState, startSandbox, type Sandbox } from '../../../drill/sandbox';

const PREFIX = '/runbook-autopilot/test';
const NAMES = admissionParameterNames(PREFIX, 'lambda-runaway');
const POLICY = JSON.stringify({ enabled: true, cooldownMinutes: 60, targets: ['fn'] });
let sandbox: Sandbox;
let ssm: SSMClient;

beforeAll(async () => {
  sandbox = await startSandbox(seedAccountState());
  ssm = new SSMClient({ endpoint: sandbox.url, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
});
afterAll(async () => {
  ssm.destroy();
  await sandbox.close();
});
afterEach(() => {
  jest.useRealTimers();
});

const setParameter = (name: string, value: string | null) => {
  if (value === null) delete sandbox.state.ssm.parameters[name];
  else sandbox.state.ssm.parameters[name] = { type: 'String', value, version: 1, lastModified: new Date().toISOString(), history: [] };
};
const reads = () => sandbox.calls.filter((c) => c.service === 'ssm' && c.operation === 'GetParameters').length;
/** Only Date is faked: the SDK's sockets and timers run as usual. */
const fakeClock = () => jest.useFakeTimers({
  doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'],
  now: Date.parse('2026-11-03T03:12:41.522Z'),
});

const ON = { automation: 'enabled', runbook: 'enabled' };
const reading = (switches: { automation: string | null; runbook: string | null }, policy: string | null = POLICY) => ({
  switches, policy, policyParameter: NAMES.policy, switchNames: switchParameterNames(PREFIX, ['lambda-runaway']),
});

describe('AdmissionReader', () => {
  beforeEach(() => {
    setParameter(NAMES.automation, 'enabled');
    setParameter(NAMES.runbook, 'enabled');
    setParameter(NAMES.policy, POLICY);
  });

  test('one GetParameters call reads both switches and the policy', async () => {
    const reader = new AdmissionReader(PREFIX, 0, ssm);
    const before = sandbox.calls.length;
    expect(await reader.read('lambda-runaway')).toEqual(reading(ON));
    expect(sandbox.calls.slice(before).map((c) => [c.operation, c.input])).toEqual([['GetParameters', { Names: [NAMES.automation, NAMES.runbook, NAMES.policy] }]]);
  });

  test('a warm container reuses what it read for the max age: a paused switch is seen once the age has passed', async () => {
    fakeClock();
    const reader = new AdmissionReader(PREFIX, 60, ssm);
    const before = reads();
    expect(await reader.read('lambda-runaway')).toEqual(reading(ON));
    expect(reads() - before).toBe(1);

    setParameter(NAMES.automation, 'paused');
    jest.advanceTimersByTime(60_000);
    expect(await reader.read('lambda-runaway')).toEqual(reading(ON));
    expect(reads() - before).toBe(1);

    jest.advanceTimersByTime(1_001);
    expect(await reader.read('lambda-runaway')).toEqual(reading({ automation: 'paused', runbook: 'enabled' }));
    expect(reads() - before).toBe(2);
  });

  test('max age 0 reads for every event', async () => {
    const reader = new AdmissionReader(PREFIX, 0, ssm);
    const before = reads();
    await reader.read('lambda-runaway');
    setParameter(NAMES.runbook, 'disabled');
    expect(await reader.read('lambda-runaway')).toEqual(reading({ automation: 'enabled', runbook: 'disabled' }));
    expect(reads() - before).toBe(2);
  });

  test.each([['the kill switch', () => NAMES.automation], ['the policy', () => NAMES.policy]])('a missing parameter (%s) reads as null and is not kept: once created it counts at the next event', async (_what, name) => {
    fakeClock();
    const value = sandbox.state.ssm.parameters[name()]!.value;
    setParameter(name(), null);
    const reader = new AdmissionReader(PREFIX, 60, ssm);
    const read = await reader.read('lambda-runaway');
    expect([read.switches.automation, read.policy]).toContain(null);
    setParameter(name(), value);
    expect(await reader.read('lambda-runaway')).toEqual(reading(ON));
  });

  test('access denied is AwsAccessDenied naming what was read, and nothing is kept', async () => {
    const reader = new AdmissionReader(PREFIX, 60, ssm);
    sandbox.injectFault({ service: 'ssm', operation: 'GetParameters', error: 'access-denied', times: 1 });
    await expect(reader.read('lambda-runaway')).rejects.toMatchObject({ name: 'AwsAccessDenied', message: expect.stringContaining(`reading lambda-runaway's switches and policy under ${PREFIX}`) });
    expect(await reader.read('lambda-runaway')).toEqual(reading(ON));
  });
});

describe('switchMaxAgeSeconds', () => {
  test.each([[undefined, DEFAULT_SWITCH_MAX_AGE_SECONDS], ['', DEFAULT_SWITCH_MAX_AGE_SECONDS], ['0', 0], ['30', 30]])('%p reads as %p seconds', (raw, seconds) => {
    expect(switchMaxAgeSeconds(raw)).toBe(seconds);
  });

  test.each(['-1', '1.5', 'five'])('%p is refused with a one-line reason', (raw) => {
    expect(() => switchMaxAgeSeconds(raw)).toThrow(`SWITCH_MAX_AGE_SECONDS must be a whole number of seconds (0 or more), not "${raw}"`);
  });
});

describe('AdmissionReader in flight', () => {
  test('events arriving together while the parameters are being read share the read', async () => {
    setParameter(NAMES.automation, 'enabled');
    setParameter(NAMES.runbook, 'enabled');
    setParameter(NAMES.policy, POLICY);
    const reader = new AdmissionReader(PREFIX, 60, ssm);
    const before = reads();
    const states = await Promise.all(Array.from({ length: 8 }, () => reader.read('lambda-runaway')));
    expect(states).toEqual(Array.from({ length: 8 }, () => reading(ON)));
    expect(reads() - before).toBe(1);
  });
});
