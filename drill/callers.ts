/**
 * Which function made each AWS call in the drill: a handler runs inside `asCaller(name, ...)`, and
 * each HTTP request it opens carries that name in the `x-drill-caller` header (Node's
 * `http.client.request.created` diagnostics channel, Node.js 22.12 and later, lets a header be set
 * before the request is written). The sandbox and the DynamoDB proxy record it beside the call, so
 * a test can hold every call against the role of the function that made it (test/contract).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingHttpHeaders } from 'node:http';

export const CALLER_HEADER = 'x-drill-caller';

/** False on a Node.js without the channel (before 22.12): calls are then recorded without their caller. */
export const CALLERS_RECORDED = ((major, minor) => major > 22 || (major === 22 && minor >= 12))(
  Number(process.versions.node.split('.')[0]), Number(process.versions.node.split('.')[1]),
);

const SHARED = Symbol.for('runbook-autopilot.drill.caller-store');
type TaggedChannel = diagnostics.Channel & { [SHARED]?: AsyncLocalStorage<string> };

/**
 * The store and its one subscriber, kept on the channel: the channel is the process's own, while
 * this module may be loaded more than once in a process (Jest loads a copy per test file). A copy
 * that subscribed again would add a subscriber run at every request after it, holding that copy
 * and all it loaded to the end of the process (about 13 MB per test file that drills).
 */
function callerStore(): AsyncLocalStorage<string> {
  const channel = diagnostics.channel('http.client.request.created') as TaggedChannel;
  const kept = channel[SHARED];
  if (kept) return kept;
  const store = new AsyncLocalStorage<string>();
  if (CALLERS_RECORDED) {
    channel.subscribe((message) => {
      const caller = store.getStore();
      const request = (message as { request?: ClientRequest }).request;
      if (caller !== undefined && request && !request.headersSent) request.setHeader(CALLER_HEADER, caller);
    });
  }
  return (channel[SHARED] = store);
}

const current = callerStore();

/** The function running now, when a drill function is (asCaller). */
export function currentCaller(): string | undefined {
  return CALLERS_RECORDED ? current.getStore() : undefined;
}

/** Runs `work` as the named function: the AWS calls it makes are recorded as that function's. */
export function asCaller<T>(name: string, work: () => T): T {
  return current.run(name, work);
}

/** The function a request came from, as its header says (undefined: not a drill function's). */
export function callerOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[CALLER_HEADER];
  return typeof value === 'string' ? value : undefined;
}
