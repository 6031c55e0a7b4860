/**
 * A test file that drills in process leaves here how to close its drill ports, and its environment
 * (environment.ts) does so once the file's last hook has run. Jest loads the drill anew for each
 * file; its ports, opened once per copy and never keeping the process alive, would otherwise stay
 * open in the worker to its end, each holding everything that file loaded.
 */
export const RELEASE_DRILL_PORTS = Symbol.for('runbook-autopilot.release-drill-ports');

/** Called by whatever starts drills in a test file (drill-harness.ts): `release` runs at the file's end. */
export function releaseDrillPortsAtFileEnd(release: () => Promise<void>): void {
  (globalThis as Record<symbol, unknown>)[RELEASE_DRILL_PORTS] = release;
}
