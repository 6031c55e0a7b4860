import { releaseDrillPorts } from '../../drill/drill';
import { RELEASE_DRILL_PORTS } from '../support/release-drill-ports';
import { useDrillSandbox } from './drill-harness';

const harness = useDrillSandbox();

test("a file that drills through the harness leaves its drill ports to be closed at its end (by the file's environment)", () => {
  expect(harness.drill.sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect((globalThis as unknown as Record<symbol, unknown>)[RELEASE_DRILL_PORTS]).toBe(releaseDrillPorts);
});
