import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Drill, releaseDrillPorts, type DrillOptions } from '../../drill/drill';
import { classifyInput, type DrillInput } from '../../drill/inputs';
import { loadConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { releaseDrillPortsAtFileEnd } from '../support/release-drill-ports';

export interface DrillSandbox {
  readonly drill: Drill;
  /** A client of the drill's DynamoDB (the target tables), as the handlers reach it. */
  readonly dynamo: DynamoDBClient;
}

/** A drill that made no AWS call for this long is stuck, however loaded the machine (its runs make calls every few milliseconds). */
const STALL_MS = 60_000;
/** Jest's timeout for the file's tests: none in effect (the largest a timer takes); a stuck drill fails its test instead. */
const UNTIMED = 2 ** 31 - 1;

/**
 * One drill sandbox for the enclosing describe block (or file): started before its tests, closed
 * after them, and the process environment the drill points at the sandbox put back. One at a time
 * in a process (drill/sandbox/listen.ts).
 *
 * The file's tests are not timed by Jest, whose clock counts how loaded the machine is: instead,
 * whatever the drill is asked to do fails when the drill stops making progress (no AWS call for
 * STALL_MS).
 */
export function useDrillSandbox(options: DrillOptions | (() => DrillOptions) = {}): DrillSandbox {
  jest.setTimeout(UNTIMED);
  const saved = { ...process.env };
  let drill: Drill | undefined;
  let dynamo: DynamoDBClient | undefined;
  beforeAll(async () => {
    drill = await Drill.start(typeof options === 'function' ? options() : options);
    releaseDrillPortsAtFileEnd(releaseDrillPorts);
    dynamo = new DynamoDBClient({
      endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: process.env.AWS_REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    dynamo?.destroy();
    await drill?.close();
    process.env = { ...saved };
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the drill sandbox is started in beforeAll: use it inside a test');
    return value;
  };
  return {
    get drill() { return watched(started(drill)); },
    get dynamo() { return started(dynamo); },
  };
}

/** The drill, its asynchronous methods failing when it stops making progress. */
function watched(drill: Drill): Drill {
  return new Proxy(drill, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        return typeof (out as { then?: unknown } | null)?.then === 'function' ? unlessStalled(target, out as Promise<unknown>) : out;
      };
    },
  });
}

async function unlessStalled<T>(drill: Drill, work: Promise<T>): Promise<T> {
  const calls = () => {
    const mark = drill.callsMark();
    return mark.sandbox + mark.dynamodb;
  };
  let seen = calls();
  let since = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_resolve, reject) => {
    timer = setInterval(() => {
      const now = calls();
      if (now !== seen) [seen, since] = [now, Date.now()];
      else if (Date.now() - since > STALL_MS) reject(new Error(`the drill made no AWS call for ${STALL_MS / 1000} s: it is stuck`));
    }, 1000);
  });
  try {
    return await Promise.race([work, stalled]);
  } finally {
    clearInterval(timer);
  }
}

/** The last notification an execution sent (its Notify invocation's output). */
export const lastNotice = (execution: { invocations: readonly { functionName: string; output?: unknown }[] }): unknown =>
  execution.invocations.filter((i) => i.functionName.endsWith('-Notify')).at(-1)?.output;

/**
 * The drill's config with the safety rails out of the way (no cooldown, no flapping hold, no
 * hourly cap), so one sandbox can take several incidents on one target.
 */
export function withoutRails(config: EnvironmentConfig = loadConfig('drill'), overrides: { dryRun?: boolean } = {}): EnvironmentConfig {
  const out = structuredClone(config);
  for (const runbook of Object.values(out.runbooks) as { cooldownMinutes: number; flapping: { maxRemediations: number; windowMinutes: number }; maxRemediationsPerHour: number }[]) {
    runbook.cooldownMinutes = 0;
    runbook.flapping = { maxRemediations: 100, windowMinutes: 1 };
    runbook.maxRemediationsPerHour = 10_000;
  }
  if (overrides.dryRun !== undefined) out.dryRun = overrides.dryRun;
  return out;
}

const ROOT = path.join(__dirname, '..', '..');

/**
 * A recorded event as another delivery: `transition` 0 is the recorded alarm transition (or budget
 * alert), n > 0 a new one n minutes later (a budget alert n months later): another incident. Each
 * call gets a new EventBridge id / SNS message id, as a redelivery does.
 */
export function deliveryOf(file: string, transition: number): DrillInput {
  const event = JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;
  const id = `${String(++deliveries).padStart(12, '0')}`;
  const records = event.Records as { Sns: { MessageId: string; Timestamp: string } }[] | undefined;
  if (records) {
    const sns = records[0]!.Sns;
    sns.MessageId = `00000000-0000-4000-8000-${id}`;
    const at = new Date(sns.Timestamp);
    at.setUTCMonth(at.getUTCMonth() + transition);
    sns.Timestamp = at.toISOString();
  } else {
    event.id = `00000000-0000-4000-8000-${id}`;
    const state = (event.detail as { state: { timestamp: string } }).state;
    state.timestamp = new Date(Date.parse(state.timestamp.replace('+0000', 'Z')) + transition * 60_000).toISOString().replace('Z', '+0000');
  }
  return classifyInput(event, `${file}#${transition}`);
}
let deliveries = 0;
