/**
 * Jest's Node.js environment, and at each test file's end the release of the drill ports the file
 * opened, when it drilled in process (release-drill-ports.ts): after the file's last hook, so every
 * drill of the file has closed first.
 */
import { TestEnvironment } from 'jest-environment-node';
import { RELEASE_DRILL_PORTS } from './release-drill-ports';
import { endWithoutHeapTeardown, isJestWorker } from './worker-exit';

// Loaded once by each process that runs test files: a worker ends without freeing its heap piece by
// piece (worker-exit.ts); Jest's own process, running the files in band, ends as it always has.
if (isJestWorker()) endWithoutHeapTeardown();

export default class TestFileEnvironment extends TestEnvironment {
  override async teardown(): Promise<void> {
    const release = (this.global as unknown as Record<symbol, unknown>)[RELEASE_DRILL_PORTS];
    if (typeof release === 'function') await (release as () => Promise<void>)();
    await super.teardown();
  }
}
