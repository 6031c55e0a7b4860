/**
 * An AWS SDK client module (50-100 ms of a cold start each here) loaded at the first call that
 * needs it, not when the function's code is loaded: a function holding several services' clients
 * (the undo restores any runbook's change, the approval page reads whichever resource a gate names)
 * loads only the services an invocation calls. Each module is imported once per container, and each
 * client is made once, at its first call, then kept. Error checks go by the error's `name`
 * (`hasErrorName`), never `instanceof` of a class the code has not loaded.
 */
import { MUTATION_CLIENT_CONFIG } from './mutation-client';

/** Runs `load` at the first call and returns its promise ever after (a failed load is tried again). */
export function loadOnce<M>(load: () => Promise<M>): () => Promise<M> {
  let loaded: Promise<M> | undefined;
  return () => (loaded ??= load().catch((e: unknown) => {
    loaded = undefined;
    throw e;
  }));
}

/** The module a loadOnce loader gives. */
export type SdkOf<L> = L extends () => Promise<infer M> ? M : never;

/** A client of a module loaded on first use: made at its first call (or the one given, in tests), then kept. */
export class LazyClient<M, C> {
  private client: C | undefined;

  constructor(private readonly sdk: () => Promise<M>, private readonly make: (sdk: M) => C, given?: C) {
    this.client = given;
  }

  /** The SDK module (its commands) and the client. */
  async get(): Promise<{ readonly m: M; readonly client: C }> {
    const m = await this.sdk();
    this.client ??= this.make(m);
    return { m, client: this.client };
  }
}

/** A client's settings: the SDK's defaults for reads, no blind retry for mutations (mutation-client.ts). */
export type ClientSettings = Record<string, never> | typeof MUTATION_CLIENT_CONFIG;

/** One caller's two clients of a service, each made at its first call: reads, and mutations (no SDK retry but throttling). */
export function readsAndMutations<M, C>(sdk: () => Promise<M>, make: (sdk: M, settings: ClientSettings) => C, reads?: C, mutations?: C) {
  return {
    reads: new LazyClient(sdk, (m) => make(m, {}), reads),
    mutations: new LazyClient(sdk, (m) => make(m, MUTATION_CLIENT_CONFIG), mutations),
  };
}
