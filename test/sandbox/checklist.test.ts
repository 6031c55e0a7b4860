/**
 * The sandbox checklist: every service in drill/sandbox/registry.ts, called through its own SDK
 * client on the seed account, goes through the same faults. Its entry must be complete (fault-table
 * row, seed, probe call, SDK client reading its endpoint variable); each error kind must reach the
 * SDK as its fault-table row says (code, HTTP status, message) without applying the call; `timeout`
 * applies nothing; `applied-timeout` applies the call as a successful one would; `xN` lasts N calls.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  INJECTED_ERRORS,
  SERVICE_REGISTRY,
  sandboxEndpointEnv,
  seedAccountState,
  startSandbox,
  type ErrorShape,
  type FaultRow,
  type InjectedError,
  type RegisteredService,
  type Sandbox,
  type ServiceEntry,
  type ServiceFaults,
} from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const NOW = new Date('2026-11-18T12:00:00Z');
const HOLD_MS = 20;
const sandbox = useSandbox(undefined, { now: () => NOW });

afterEach(() => jest.restoreAllMocks());

interface SdkClient {
  readonly config: { readonly serviceId: string };
  send(command: unknown): Promise<unknown>;
  destroy(): void;
}
interface Sdk {
  readonly Client: new (config: object) => SdkClient;
  readonly Command: new (input: object) => unknown;
}

/** The service's SDK package: its client class and the probe operation's command class. */
async function sdkOf(entry: ServiceEntry): Promise<Sdk | string> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(entry.sdk)) as Record<string, unknown>;
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    return `${entry.name}: its SDK package ${entry.sdk} is not installed`;
  }
  const client = Object.entries(exports).find(([name, value]) => /^[A-Z]\w*Client$/.test(name) && typeof value === 'function')?.[1];
  const command = exports[`${entry.probe.operation}Command`];
  if (typeof client !== 'function') return `${entry.name}: ${entry.sdk} exports no client class`;
  if (typeof command !== 'function') return `${entry.name}: ${entry.sdk} has no ${entry.probe.operation}Command for its probe`;
  return { Client: client as Sdk['Client'], Command: command as Sdk['Command'] };
}

async function sdk(entry: ServiceEntry): Promise<Sdk> {
  const found = await sdkOf(entry);
  if (typeof found === 'string') throw new Error(found);
  return found;
}

/** The probe call, made by the service's SDK client (one attempt: an error is the sandbox's answer). */
async function probe(entry: ServiceEntry, s: Sandbox, config: object = clientConfig(s)): Promise<unknown> {
  const { Client, Command } = await sdk(entry);
  const client = new Client({ ...entry.clientConfig, ...config });
  try {
    return await client.send(new Command(entry.probe.input));
  } finally {
    client.destroy();
  }
}

function isEmpty(seeded: unknown): boolean {
  if (seeded === undefined || seeded === null) return true;
  if (Array.isArray(seeded)) return seeded.length === 0;
  return typeof seeded === 'object' && Object.keys(seeded).length === 0;
}

/** What the entry leaves out, each as a sentence naming the service and the missing part. */
async function missingParts(entry: ServiceEntry): Promise<string[]> {
  const missing: string[] = [];
  if (entry.faults === undefined) {
    missing.push(`${entry.name}: no fault-table entry (add its row, the error for each fault kind, to FAULTS in drill/sandbox/fault-table.ts)`);
  }
  if (isEmpty(entry.seed(seedAccountState()))) {
    missing.push(`${entry.name}: no seed (seedAccountState() in drill/sandbox/seed-account.ts holds nothing where its registry entry's seed points)`);
  }
  if (entry.model.operations[entry.probe.operation] === undefined) {
    missing.push(`${entry.name}: its probe ${entry.probe.operation} is not an operation of its model`);
  }
  const found = await sdkOf(entry);
  if (typeof found === 'string') {
    missing.push(found);
  } else {
    const client = new found.Client({});
    const variable = `AWS_ENDPOINT_URL_${client.config.serviceId.toUpperCase().replace(/ /g, '_')}`;
    client.destroy();
    if (variable !== entry.endpointVariable) missing.push(`${entry.name}: its SDK client reads ${variable}, not ${entry.endpointVariable}`);
  }
  return missing;
}

function faultsOf(entry: ServiceEntry): ServiceFaults {
  if (entry.faults === undefined) throw new Error(`${entry.name}: no fault-table entry in drill/sandbox/fault-table.ts`);
  return entry.faults;
}

/** The row's error for the probe operation, as the SDK should see it. */
function expected(entry: ServiceEntry, kind: InjectedError, s: Sandbox) {
  const row: FaultRow = faultsOf(entry)[kind];
  const shape: ErrorShape = { ...row, ...row.byOperation?.[entry.probe.operation] };
  const call = { service: entry.name, operation: entry.probe.operation, input: entry.probe.input, account: s.state };
  const message = typeof shape.message === 'string' ? shape.message : shape.message(call);
  // JSON answers carry the shape name; AWS Query and S3 the error code, and query-compatible JSON both.
  const { protocol, queryCompatible } = entry.model;
  const byCode = protocol === 'awsQuery' || protocol === 'restXml' || queryCompatible === true;
  return { seen: byCode ? 'Code' : 'name', code: queryCompatible ? (shape.queryCode ?? shape.code) : shape.code, status: shape.status, message } as const;
}

/** Counts the model's applications of the probe operation. */
function spyOnProbe(entry: ServiceEntry) {
  const operation = entry.model.operations[entry.probe.operation];
  if (operation === undefined) throw new Error(`${entry.name}: its probe ${entry.probe.operation} is not an operation of its model`);
  return jest.spyOn(operation, 'run');
}

/** What a call can change: the account and the published messages. */
const effects = (s: Sandbox) => structuredClone({ state: s.state, published: s.published });

/**
 * toEqual's verdict on two account states, reached fast: Jest's matcher walks the whole account
 * (most of this file's time), a strict deep-equal does not. Strictly equal implies toEqual-equal;
 * anything else goes to toEqual, which decides and prints the difference.
 */
function expectSameEffects(now: ReturnType<typeof effects>, was: ReturnType<typeof effects>): void {
  if (!isDeepStrictEqual(now, was)) expect(now).toEqual(was);
}

const isTimeout = (failure: Error) => /TimeoutError/.test(`${failure.name}: ${failure.message}`);

describe.each(SERVICE_REGISTRY.map((entry): [string, RegisteredService] => [entry.name, entry]))('%s', (_name, entry) => {
  test('its registry entry is complete: fault-table row, seed, probe, SDK client and endpoint variable', async () => {
    expect(await missingParts(entry)).toEqual([]);
  });

  test('its probe succeeds on the seed account, through a client that reads the endpoint from the environment', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, sandboxEndpointEnv(sandbox().url));
      await expect(probe(entry, sandbox(), { maxAttempts: 1 })).resolves.toBeDefined();
    } finally {
      process.env = saved;
    }
    expect(sandbox().calls.map((c) => [c.service, c.operation, c.error])).toEqual([[entry.name, entry.probe.operation, undefined]]);
  });

  test.each(INJECTED_ERRORS)('%s: the SDK sees its fault-table row, and the call is not applied', async (kind) => {
    const want = expected(entry, kind, sandbox());
    const run = spyOnProbe(entry);
    const before = effects(sandbox());
    sandbox().injectFault({ service: entry.name, operation: entry.probe.operation, error: kind });

    const failure = (await rejectionOf(probe(entry, sandbox()))) as Error & Record<string, unknown> & { $metadata?: { httpStatusCode?: number } };

    expect({ code: failure[want.seen], status: failure.$metadata?.httpStatusCode, message: failure.message }).toEqual({
      code: want.code, status: want.status, message: want.message,
    });
    expect(sandbox().calls.at(-1)?.error).toMatchObject({ injected: true, status: want.status });
    expect(run).not.toHaveBeenCalled();
    expectSameEffects(effects(sandbox()), before);
  });

  test('timeout: no answer, and nothing applied', async () => {
    const run = spyOnProbe(entry);
    const before = effects(sandbox());
    sandbox().injectFault({ service: entry.name, operation: entry.probe.operation, error: 'timeout', holdMs: HOLD_MS });

    const failure = await rejectionOf(probe(entry, sandbox()));

    expect(isTimeout(failure)).toBe(true);
    expect(run).not.toHaveBeenCalled();
    expectSameEffects(effects(sandbox()), before);
  });

  test('applied-timeout: no answer, and the call applied as a successful one would', async () => {
    const answered = await startSandbox(seedAccountState(undefined, { now: NOW }), { now: () => NOW });
    let success: ReturnType<typeof effects>;
    try {
      await probe(entry, answered);
      success = effects(answered);
    } finally {
      await answered.close();
    }
    const run = spyOnProbe(entry);
    sandbox().injectFault({ service: entry.name, operation: entry.probe.operation, error: 'applied-timeout', holdMs: HOLD_MS });

    const failure = await rejectionOf(probe(entry, sandbox()));

    expect(isTimeout(failure)).toBe(true);
    expect(run).toHaveBeenCalledTimes(1);
    expectSameEffects(effects(sandbox()), success);
  });

  test('a fault on the service with x2 fails two calls, then the service answers', async () => {
    const run = spyOnProbe(entry);
    const { status } = expected(entry, 'throttling', sandbox());
    sandbox().injectFault({ service: entry.name, error: 'throttling', times: 2 });

    await rejectionOf(probe(entry, sandbox()));
    await rejectionOf(probe(entry, sandbox()));
    await expect(probe(entry, sandbox())).resolves.toBeDefined();

    expect(sandbox().calls.map((c) => c.error?.status)).toEqual([status, status, undefined]);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
