import TestFileEnvironment from '../../support/environment';
import { RELEASE_DRILL_PORTS } from '../../support/release-drill-ports';
import { endWithoutHeapTeardown } from '../../support/worker-exit';

// This file's copies of the environment, loaded as in a Jest worker: the worker's own keeps its exit listener.
jest.mock('../../support/worker-exit', () => ({ endWithoutHeapTeardown: jest.fn(), isJestWorker: jest.fn(() => true) }));

/** The environment as Jest makes one for a test file (the settings its constructor reads). */
function fileEnvironment(): TestFileEnvironment {
  return new TestFileEnvironment(
    { globalConfig: {} as never, projectConfig: { testEnvironmentOptions: {}, globals: {}, fakeTimers: {} } as never },
    { console, docblockPragmas: {}, testPath: __filename },
  );
}

test("at a file's end, the environment runs the release the file's drill harness left on its global, once", async () => {
  const env = fileEnvironment();
  const release = jest.fn(async () => undefined);
  (env.global as unknown as Record<symbol, unknown>)[RELEASE_DRILL_PORTS] = release;
  await env.teardown();
  expect(release).toHaveBeenCalledTimes(1);
});

test('a file that drilled nothing in process has nothing to release', async () => {
  await expect(fileEnvironment().teardown()).resolves.toBeUndefined();
});

test('a release refused (a drill of the file still open) fails the file', async () => {
  const env = fileEnvironment();
  (env.global as unknown as Record<symbol, unknown>)[RELEASE_DRILL_PORTS] = async () => {
    throw new Error('http://127.0.0.1:1 is taken by a server of this process: close it first');
  };
  await expect(env.teardown()).rejects.toThrow(/is taken by a server of this process/);
});

test('loaded in a Jest worker, the environment has the worker end by process.exit after its exit listeners (worker-exit.ts), once, not at each file', async () => {
  await fileEnvironment().teardown();
  await fileEnvironment().teardown();
  expect(jest.mocked(endWithoutHeapTeardown).mock.calls).toEqual([[]]);
});
