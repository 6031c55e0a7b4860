import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError } from './aws-error';
import { cloudWatchModel } from './cloudwatch';
import { uuidFromHex } from './common';
import { costExplorerModel } from './cost-explorer';
import { ecsModel } from './ecs';
import { eventsModel } from './events';
import { normaliseEcs } from './ecs-rollout';
import type { Input } from './input';
import { lambdaModel } from './lambda';
import type { FaultSpec, PublishedMessage, SandboxCall, SandboxHooks, ServiceContext, ServiceModel } from './model';
import { s3Model } from './s3';
import { secretsManagerModel } from './secrets-manager';
import { sfnModel } from './sfn';
import { snapshotOf, type SandboxSnapshot } from './snapshot';
import { snsModel } from './sns';
import { ssmModel } from './ssm';
import type { AccountState, ServiceName } from './state';
import { decodeCall, encodeError, encodeOutput, signingService, type WireResponse } from './wire';

export interface Sandbox {
  /** http://127.0.0.1:PORT; pass it to sandboxEndpointEnv. */
  readonly url: string;
  /** The live model: read it, or change it mid-drill (an alarm clears, a service breaks). */
  readonly state: AccountState;
  /** Every request, in arrival order. */
  readonly calls: readonly SandboxCall[];
  /** Every message accepted by SNS Publish, in order. */
  readonly published: readonly PublishedMessage[];
  /** The next `times` calls matching service (and operation) fail with that service's real error. */
  injectFault(fault: FaultSpec): void;
  /** Drops the faults not used up yet. */
  clearFaults(): void;
  snapshot(): SandboxSnapshot;
  close(): Promise<void>;
}

const MODELS: Readonly<Record<ServiceName, ServiceModel>> = {
  lambda: lambdaModel,
  ecs: ecsModel,
  ssm: ssmModel,
  ce: costExplorerModel,
  sns: snsModel,
  states: sfnModel,
  cloudwatch: cloudWatchModel,
  events: eventsModel,
  s3: s3Model,
  secretsmanager: secretsManagerModel,
};

/** SigV4 signing names differ from the IAM prefixes for two services. */
const BY_SIGNING_NAME: Readonly<Record<string, ServiceName>> = {
  lambda: 'lambda',
  ecs: 'ecs',
  ssm: 'ssm',
  ce: 'ce',
  sns: 'sns',
  states: 'states',
  monitoring: 'cloudwatch',
  events: 'events',
  s3: 's3',
  secretsmanager: 'secretsmanager',
};

const DEFAULT_HOLD_MS = 250;

interface ActiveFault {
  readonly spec: FaultSpec;
  remaining: number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, wire: WireResponse): void {
  res.writeHead(wire.status, { ...wire.headers, 'content-length': String(Buffer.byteLength(wire.body)) });
  res.end(wire.body);
}

/**
 * Starts a fake AWS account on a random loopback port. Unmodified SDK v3 clients reach it through
 * the AWS_ENDPOINT_URL_* variables; each request is dispatched on the SigV4 credential scope's
 * service (signatures are not checked). The state is cloned: the argument is never changed.
 */
export async function startSandbox(initial: AccountState, hooks: SandboxHooks = {}): Promise<Sandbox> {
  const state = structuredClone(initial);
  const calls: SandboxCall[] = [];
  const published: PublishedMessage[] = [];
  const faults: ActiveFault[] = [];
  const holds = new Set<NodeJS.Timeout>();
  const now = hooks.now ?? (() => new Date());
  let sequence = 0;
  const ctx: ServiceContext = {
    state,
    hooks,
    published,
    now,
    id: (kind) => createHash('sha256').update(`${kind}:${++sequence}`).digest('hex').slice(0, 32),
  };
  normaliseEcs(ctx);

  const takeFault = (service: ServiceName, operation: string): FaultSpec | undefined => {
    const active = faults.find((f) => f.spec.service === service && (f.spec.operation ?? operation) === operation);
    if (active === undefined) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) faults.splice(faults.indexOf(active), 1);
    return active.spec;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const requestId = uuidFromHex(ctx.id('request'));
    const service = BY_SIGNING_NAME[signingService(req.headers) ?? ''];
    if (service === undefined) {
      send(res, {
        status: 403,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'UnrecognizedClientException' },
        body: JSON.stringify({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }),
      });
      return;
    }
    const model = MODELS[service];
    const url = new URL(req.url ?? '/', 'http://sandbox');
    let operation = '(unknown)';
    let input: Input = {};
    let status = 200;
    let call: SandboxCall | undefined;
    const fail = (error: AwsError, injected: boolean) => {
      if (call === undefined) {
        // The request could not be decoded; it is still part of the record.
        call = { service, operation, input, at: now().getTime(), mutating: false };
        calls.push(call);
      }
      call.error = { code: error.code, status: error.status, message: error.message, injected };
      send(res, encodeError(model, error, requestId));
    };
    try {
      ({ operation, input, status } = decodeCall(model, {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      }));
      const op = model.operations[operation];
      call = { service, operation, input, at: now().getTime(), mutating: op?.mutating ?? false };
      calls.push(call);
      if (op === undefined) throw model.unknownOperation(operation);
      await hooks.onCall?.(call);
      const fault = takeFault(service, operation);
      const answered = call;
      const hangUp = (applied: boolean) => {
        answered.error = { code: 'TimeoutError', status: 0, message: `connection closed without a response${applied ? ' (the call was applied)' : ''}`, injected: true };
        const hold = setTimeout(() => {
          holds.delete(hold);
          req.socket.destroy();
        }, fault?.holdMs ?? DEFAULT_HOLD_MS);
        holds.add(hold);
      };
      if (fault?.error === 'timeout') {
        hangUp(false);
        return;
      }
      if (fault?.error === 'applied-timeout') {
        await op.run(input, ctx);
        hangUp(true);
        return;
      }
      if (fault !== undefined) {
        fail(model.fault(fault.error, operation, input, ctx), true);
        return;
      }
      const output = await op.run(input, ctx);
      send(res, encodeOutput(model, operation, output, status, requestId));
    } catch (e: unknown) {
      if (e instanceof AwsError) {
        fail(e, false);
        return;
      }
      // A bug in the sandbox or a drill hook: answer as the service's own 500 so the SDK still parses it.
      const base = model.fault('server-error', operation, input, ctx);
      const detail = e instanceof Error ? e.message : String(e);
      const options = { queryCode: base.queryCode ?? base.code, messageField: base.messageField };
      fail(new AwsError(base.code, base.status, `${base.message} (sandbox: ${detail})`, options), false);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.destroy(e instanceof Error ? e : new Error(String(e)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    state,
    calls,
    published,
    injectFault(fault) {
      const model: ServiceModel | undefined = MODELS[fault.service];
      if (model === undefined) throw new Error(`The sandbox does not model the ${String(fault.service)} service`);
      if (fault.operation !== undefined && model.operations[fault.operation] === undefined) {
        throw new Error(`The sandbox does not model ${fault.service}:${fault.operation}`);
      }
      faults.push({ spec: fault, remaining: fault.times ?? 1 });
    },
    clearFaults() {
      faults.length = 0;
    },
    snapshot: () => snapshotOf(state, published.length),
    close: async () => {
      holds.forEach(clearTimeout);
      holds.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
