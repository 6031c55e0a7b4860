import { startSandbox, seedAccountState, SANDBOX_CREDENTIALS, SANDBOX_REGION, type Sandbox, type SandboxHooks, type StateOverride } from '../../drill/sandbox';

/** Client settings for a sandbox: one attempt, so an error is the sandbox's answer, not a retry's. */
export function clientConfig(sandbox: Sandbox) {
  return { endpoint: sandbox.url, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 };
}

/** A sandbox on the seed account (with an optional scenario override), closed after the file's tests. */
export function useSandbox(override?: StateOverride, hooks?: SandboxHooks): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeEach(async () => {
    sandbox = await startSandbox(seedAccountState(override, { now: new Date('2026-11-18T12:00:00Z') }), hooks);
  });
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  return () => {
    if (sandbox === undefined) throw new Error('sandbox used outside a test');
    return sandbox;
  };
}

/** The rejection of a promise, for asserting on its fields. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (e: unknown) {
    if (e instanceof Error) return e;
    throw new Error(`rejected with a non-error: ${String(e)}`, { cause: e });
  }
  throw new Error('expected the call to fail, but it succeeded');
}
