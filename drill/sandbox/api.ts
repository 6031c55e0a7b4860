import type { InjectedFault } from './faults';
import type { Input } from './input';
import type { ModelHooks } from './model';
import type { ServiceName } from './registry';

/** What a drill sees of the sandbox's traffic: the call log, the hooks around calls, injected faults. */

/** One request as the sandbox saw it. */
export interface SandboxCall {
  readonly service: ServiceName;
  readonly operation: string;
  readonly input: Input;
  /** Epoch milliseconds on the sandbox clock. */
  readonly at: number;
  /** True when the operation changes a modelled resource. */
  readonly mutating: boolean;
  /** The drill function that made the call, when the request named one (drill/callers.ts). */
  readonly caller?: string;
  error?: { code: string; status: number; message: string; injected: boolean };
}

export interface SandboxHooks extends ModelHooks {
  /** Awaited before each call is applied (and before faults): inspect other state at that moment. */
  onCall?: (call: SandboxCall) => Promise<void> | void;
  /** A POST to the application's own endpoints (the kill switch), by its path: audited like a mutating call, not an AWS call (not in `calls`). */
  onApplicationPost?: (path: string) => Promise<void> | void;
  /** The sandbox clock (timestamps in answers, events and the call log); defaults to the wall clock. */
  now?: () => Date;
}

/** The next `times` calls matching service (and operation) fail with that service's real error (fault-table.ts). */
export interface FaultSpec extends InjectedFault {
  readonly service: ServiceName;
}
