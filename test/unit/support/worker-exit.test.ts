/**
 * How a test process ends (worker-exit.ts): by process.exit once every exit listener has run, with
 * the exit code they leave, rather than by Node's natural exit, which frees the heap first.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import { endWithoutHeapTeardown, isJestWorker } from '../../support/worker-exit';

const ROOT = path.join(__dirname, '..', '..', '..');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

/** What the fake's process.exit throws: like the real one, it does not return to the listener loop. */
class Exited extends Error {}

/** A process's exit listeners and exit code, with its process.exit recorded instead of run. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const calls: string[] = [];
  const proc = {
    exitCode: undefined as number | undefined,
    on: (event: string, listener: (code: number) => void) => { emitter.on(event, listener); return proc; },
    listeners: (event: string) => emitter.listeners(event),
    exit: jest.fn((code?: number) => {
      calls.push(`exit ${code}`);
      throw new Exited();
    }),
  };
  return { proc: proc as unknown as NodeJS.Process & { exit: jest.Mock }, emitter, calls };
}

test('the process ends by process.exit with the code its exit event carries, once, however often it is asked to', () => {
  const { proc, emitter } = fakeProcess();
  endWithoutHeapTeardown(proc);
  endWithoutHeapTeardown(proc);
  expect(emitter.listenerCount('exit')).toBe(1);
  expect(() => emitter.emit('exit', 3)).toThrow(Exited);
  expect(proc.exit.mock.calls).toEqual([[3]]);
});

test('an exit listener added later still runs, before the exit, and the exit code it sets is the one the process ends with', () => {
  const { proc, emitter, calls } = fakeProcess();
  endWithoutHeapTeardown(proc);
  emitter.on('exit', () => {
    calls.push('a later listener');
    proc.exitCode = 1;
  });
  expect(() => emitter.emit('exit', 0)).toThrow(Exited);
  expect(calls).toEqual(['a later listener', 'exit 1']);
});

test('a real process ending naturally is ended by process.exit (--trace-exit reports it), after a later listener, with the code that listener set', () => {
  const script = `
    const { endWithoutHeapTeardown } = require('./test/support/worker-exit.ts');
    endWithoutHeapTeardown();
    process.on('exit', () => { console.log('the later listener ran'); process.exitCode = 5; });`;
  const child = spawnSync(NODE, ['--trace-exit', '--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(child.stdout).toContain('the later listener ran');
  expect(child.stderr).toMatch(/Exited the environment with code 5/);
  expect(child.status).toBe(5);
});

test("a Jest worker is a process with a channel to its parent; Jest's own process, run from a shell, has none", () => {
  expect(isJestWorker({ send: () => true } as unknown as NodeJS.Process)).toBe(true);
  expect(isJestWorker({ send: undefined })).toBe(false);
});

test('Jest run in band on a failing test file exits 1: its exit code, set by an exit listener it adds at the end, is kept', () => {
  const child = spawnSync(NODE, [path.join(ROOT, 'node_modules', '.bin', 'jest'), '-i', '--testMatch', '**/test/unit/support/fixtures/fails.ts'], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000,
  });
  expect(child.stderr).toMatch(/Tests:\s+1 failed, 1 total/);
  expect(child.status).toBe(1);
});
