/**
 * How a test worker ends (worker-exit.ts): by process.exit after its other exit listeners, with the
 * code it was ending with, rather than by Node's natural exit, which frees the heap first.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import { endWithoutHeapTeardown } from '../../support/worker-exit';

const ROOT = path.join(__dirname, '..', '..', '..');

/** A process's exit listeners, and its process.exit recorded instead of run. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const calls: string[] = [];
  const proc = {
    on: (event: string, listener: (code: number) => void) => { emitter.on(event, listener); return proc; },
    removeListener: (event: string, listener: (code: number) => void) => { emitter.removeListener(event, listener); return proc; },
    exit: jest.fn((code?: number) => { calls.push(`exit ${code}`); }),
  };
  return { proc: proc as unknown as NodeJS.Process & { exit: jest.Mock }, emitter, calls };
}

test("the process ends by process.exit with the code its exit event carries, once, however many files' ends moved the listener", () => {
  const { proc, emitter } = fakeProcess();
  endWithoutHeapTeardown(proc);
  endWithoutHeapTeardown(proc);
  expect(emitter.listenerCount('exit')).toBe(1);
  emitter.emit('exit', 3);
  expect(proc.exit.mock.calls).toEqual([[3]]);
});

test('an exit listener added before a later file ended still runs, before the exit', () => {
  const { proc, emitter, calls } = fakeProcess();
  endWithoutHeapTeardown(proc);
  emitter.on('exit', () => calls.push('a library listener'));
  endWithoutHeapTeardown(proc);
  emitter.emit('exit', 0);
  expect(calls).toEqual(['a library listener', 'exit 0']);
});

test('a real process ending naturally is ended by process.exit (--trace-exit reports it), after its later listener, with its exit code', () => {
  const script = `
    const { endWithoutHeapTeardown } = require('./test/support/worker-exit.ts');
    endWithoutHeapTeardown();
    process.on('exit', () => console.log('the later listener ran'));
    endWithoutHeapTeardown();
    process.exitCode = 5;`;
  const child = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'node'), ['--trace-exit', '--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(child.stdout).toContain('the later listener ran');
  expect(child.stderr).toMatch(/Exited the environment with code 5/);
  expect(child.status).toBe(5);
});
