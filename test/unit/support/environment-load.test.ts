/**
 * Where the test environment (test/support/environment.ts) is loaded decides how the process ends:
 * a Jest worker by process.exit after its exit listeners (worker-exit.ts), Jest's own process,
 * running the files in band, as it always has. Each case loads a copy of its own.
 */
import type * as WorkerExit from '../../support/worker-exit';

test.each([[true, [[]]], [false, []]])('loaded in a Jest worker (%s), the environment installs the worker\'s exit; in Jest\'s own process, it does not', async (worker, calls) => {
  const end = jest.fn();
  await jest.isolateModulesAsync(async () => {
    jest.doMock<typeof WorkerExit>('../../support/worker-exit', () => ({ endWithoutHeapTeardown: end, isJestWorker: () => worker }));
    await import('../../support/environment');
  });
  expect(end.mock.calls).toEqual(calls);
});
