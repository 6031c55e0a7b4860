import { SSMClient } from '@aws-sdk/client-ssm';
import { DEFAULT_SWITCH_MAX_AGE_SECONDS, SwitchReader, switchMaxAgeSeconds } from '../../../lambdas/admit/switch-reader';
import { switchParameterNames } from '../../../lambdas/domain/switches';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION, seedAccountState, startSandbox, type Sandbox } from '../../../drill/sandbox';

const SWITCHES = switchParameterNames('/runbook-autopilot/test', ['lambda-runaway']);
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

const setSwitch = (name: string, value: string | null) => {
  if (value === null) delete sandbox.state.ssm.parameters[name];
  else sandbox.state.ssm.parameters[name] = { type: 'String', value, version: 1, lastModified: new Date().toISOString(), history: [] };
};
const reads = () => sandbox.calls.filter((c) => c.service === 'ssm' && c.operation === 'GetParameter').length;
/** Only Date is faked: the SDK's sockets and timers run as usual. */
const fakeClock = () => jest.useFakeTimers({
  doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'],
  now: Date.parse('2026-11-03T03:12:41.522Z'),
});

describe('SwitchReader', () => {
  beforeEach(() => {
    setSwitch(SWITCHES.automation, 'enabled');
    setSwitch(SWITCHES.runbooks['lambda-runaway']!, 'enabled');
  });

  test('a warm container reuses what it read for the max age: a paused switch is seen once the age has passed', async () => {
    fakeClock();
    const reader = new SwitchReader(SWITCHES, 60, ssm);
    const before = reads();
    expect(await reader.read('lambda-runaway')).toEqual({ automation: 'enabled', runbook: 'enabled' });
    expect(reads() - before).toBe(2);

    setSwitch(SWITCHES.automation, 'paused');
    jest.advanceTimersByTime(60_000);
    expect(await reader.read('lambda-runaway')).toEqual({ automation: 'enabled', runbook: 'enabled' });
    expect(reads() - before).toBe(2);

    jest.advanceTimersByTime(1_001);
    expect(await reader.read('lambda-runaway')).toEqual({ automation: 'paused', runbook: 'enabled' });
    expect(reads() - before).toBe(4);
  });

  test('max age 0 reads both switches for every event', async () => {
    const reader = new SwitchReader(SWITCHES, 0, ssm);
    const before = reads();
    await reader.read('lambda-runaway');
    setSwitch(SWITCHES.runbooks['lambda-runaway']!, 'disabled');
    expect(await reader.read('lambda-runaway')).toEqual({ automation: 'enabled', runbook: 'disabled' });
    expect(reads() - before).toBe(4);
  });

  test('a missing switch reads as null and is not kept: once created it counts at the next event', async () => {
    fakeClock();
    setSwitch(SWITCHES.automation, null);
    const reader = new SwitchReader(SWITCHES, 60, ssm);
    expect(await reader.read('lambda-runaway')).toEqual({ automation: null, runbook: 'enabled' });
    setSwitch(SWITCHES.automation, 'enabled');
    expect(await reader.read('lambda-runaway')).toEqual({ automation: 'enabled', runbook: 'enabled' });
  });

  test('a runbook without a switch parameter reads as null without a call for it', async () => {
    const reader = new SwitchReader(SWITCHES, 0, ssm);
    const before = reads();
    expect(await reader.read('unknown-runbook')).toEqual({ automation: 'enabled', runbook: null });
    expect(reads() - before).toBe(1);
  });

  test('access denied is AwsAccessDenied naming the switch, and nothing is kept', async () => {
    const reader = new SwitchReader(SWITCHES, 60, ssm);
    // A runbook without a switch of its own: one read, the kill switch's.
    sandbox.injectFault({ service: 'ssm', operation: 'GetParameter', error: 'access-denied', times: 1 });
    await expect(reader.read('unknown-runbook')).rejects.toMatchObject({ name: 'AwsAccessDenied', message: expect.stringContaining(`reading switch ${SWITCHES.automation}`) });
    expect(await reader.read('unknown-runbook')).toEqual({ automation: 'enabled', runbook: null });
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

describe('SwitchReader in flight', () => {
  test('events arriving together while a switch is being read share the read', async () => {
    setSwitch(SWITCHES.automation, 'enabled');
    setSwitch(SWITCHES.runbooks['lambda-runaway']!, 'enabled');
    const reader = new SwitchReader(SWITCHES, 60, ssm);
    const before = reads();
    const states = await Promise.all(Array.from({ length: 8 }, () => reader.read('lambda-runaway')));
    expect(states).toEqual(Array.from({ length: 8 }, () => ({ automation: 'enabled', runbook: 'enabled' })));
    expect(reads() - before).toBe(2);
  });
});
