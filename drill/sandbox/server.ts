import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { callerOf } from '../callers';
import type { FaultSpec, SandboxCall, SandboxHooks } from './api';
import { applicationRequest, servesPath } from './application';
import { AwsError, UnknownOperation } from './aws-error';
import { uuidFromHex } from './common';
import { normaliseEcs } from './ecs-rollout';
import { faultError, FaultQueue, planFault, rowOf, type FaultedCall } from './faults';
import type { Input } from './input';
import { ownPort, type Listen } from './listen';
import type { PublishedMessage, ServiceContext, WireResponse } from './model';
import { bySigningName, serviceEntry } from './registry';
import { fireDueSchedules } from './scheduler';
import { snapshotOf, type SandboxSnapshot } from './snapshot';
import type { AccountState } from './state';
import { decodeCall, encodeError, encodeOutput, signingService } from './wire';

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
  /** Moves the sandbox clock on: the one-time schedules due by then fire (scheduler.ts). Returns their names. */
  advanceClock(ms: number): Promise<string[]>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The drill function a request came from, as its x-drill-caller header names it (drill/callers.ts). */
function callerField(req: IncomingMessage): { caller?: string } {
  const caller = callerOf(req.headers);
  return caller === undefined ? {} : { caller };
}

function send(res: ServerResponse, wire: WireResponse): void {
  res.writeHead(wire.status, { ...wire.headers, 'content-length': String(Buffer.byteLength(wire.body)) });
  res.end(wire.body);
}

/**
 * Starts a fake AWS account on a random loopback port (or the port `listen` gives it). Unmodified
 * SDK v3 clients reach it through the AWS_ENDPOINT_URL_* variables; each request is dispatched on
 * the SigV4 credential scope's service (signatures are not checked). The state is cloned: the
 * argument is never changed.
 */
export async function startSandbox(initial: AccountState, hooks: SandboxHooks = {}, listen: Listen = ownPort()): Promise<Sandbox> {
  const state = structuredClone(initial);
  const calls: SandboxCall[] = [];
  const published: PublishedMessage[] = [];
  const faults = new FaultQueue<FaultSpec>();
  /** Requests held without an answer (timeout faults), each closed when its hold ends or the sandbox closes. */
  const holds = new Map<NodeJS.Timeout, Socket>();
  const clock = hooks.now ?? (() => new Date());
  let clockOffsetMs = 0;
  const now = () => new Date(clock().getTime() + clockOffsetMs);
  let sequence = 0;
  const ctx: ServiceContext = {
    state,
    hooks,
    published,
    now,
    id: (kind) => createHash('sha256').update(`${kind}:${++sequence}`).digest('hex').slice(0, 32),
  };
  normaliseEcs(ctx);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const requestId = uuidFromHex(ctx.id('request'));
    const signedFor = signingService(req.headers);
    const url = new URL(req.url ?? '/', 'http://sandbox');
    // The application's own endpoints (the kill switch) take unsigned requests, as a browser or curl sends them.
    if (signedFor === undefined && servesPath(state, url.pathname)) {
      // Audited like a mutating AWS call (its ledger row of intent must come first); not an AWS call, so not in the call log.
      if (req.method === 'POST') {
        await hooks.onApplicationPost?.(url.pathname);
      }
      send(res, applicationRequest(state, { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body }, now()));
      return;
    }
    const entry = bySigningName(signedFor ?? '');
    if (entry === undefined) {
      send(res, {
        status: 403,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'UnrecognizedClientException' },
        body: JSON.stringify({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }),
      });
      return;
    }
    const { name: service, model } = entry;
    let operation = '(unknown)';
    let input: Input = {};
    let status: number;
    let call: SandboxCall | undefined;
    const faulted = (): FaultedCall => ({ service, operation, input, account: state });
    const fail = (error: AwsError, injected: boolean) => {
      if (call === undefined) {
        // The request could not be decoded; it is still part of the record.
        call = { service, operation, input, at: now().getTime(), mutating: false, ...callerField(req) };
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
      call = { service, operation, input: op?.recorded?.(input) ?? input, at: now().getTime(), mutating: op?.mutating ?? false, ...callerField(req) };
      calls.push(call);
      if (op === undefined) throw new UnknownOperation(operation);
      await hooks.onCall?.(call);
      const plan = planFault(faults.take(operation, (f) => f.service === service), entry.faults, faulted());
      if (plan.kind === 'error') {
        fail(plan.error, true);
        return;
      }
      if (plan.kind === 'hang-up') {
        if (plan.apply) await op.run(input, ctx);
        call.error = { code: 'TimeoutError', status: 0, message: `connection closed without a response${plan.apply ? ' (the call was applied)' : ''}`, injected: true };
        const hold = setTimeout(() => {
          holds.delete(hold);
          req.socket.destroy();
        }, plan.holdMs);
        holds.set(hold, req.socket);
        return;
      }
      const output = await op.run(input, ctx);
      send(res, encodeOutput(model, operation, output, status, requestId));
    } catch (e: unknown) {
      if (e instanceof AwsError) {
        fail(e, false);
        return;
      }
      if (e instanceof UnknownOperation) {
        fail(faultError(rowOf(service, entry.faults), 'unknown-operation', { ...faulted(), operation: e.operation }), false);
        return;
      }
      // A bug in the sandbox or a drill hook: answer as the service's own 500 so the SDK still parses it.
      const base = faultError(rowOf(service, entry.faults), 'server-error', faulted());
      const detail = e instanceof Error ? e.message : String(e);
      const options = { queryCode: base.queryCode ?? base.code, messageField: base.messageField };
      fail(new AwsError(base.code, base.status, `${base.message} (sandbox: ${detail})`, options), false);
    }
  };

  const listening = await listen((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.destroy(e instanceof Error ? e : new Error(String(e)));
    });
  });

  return {
    url: listening.url,
    state,
    calls,
    published,
    injectFault(fault) {
      const entry = serviceEntry(fault.service);
      if (entry === undefined) throw new Error(`The sandbox does not model the ${String(fault.service)} service`);
      if (fault.operation !== undefined && entry.model.operations[fault.operation] === undefined) {
        throw new Error(`The sandbox does not model ${fault.service}:${fault.operation}`);
      }
      rowOf(entry.name, entry.faults); // refused now, not at the call it was meant for
      faults.add(fault);
    },
    clearFaults() {
      faults.clear();
    },
    snapshot: () => snapshotOf(state, published.length),
    advanceClock: async (ms) => {
      clockOffsetMs += ms;
      return fireDueSchedules(ctx);
    },
    close: async () => {
      for (const [hold, socket] of holds) {
        clearTimeout(hold);
        socket.destroy();
      }
      holds.clear();
      await listening.close();
    },
  };
}
