import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { startEarly } from '../../../lambdas/shared/started-early';

const ROOT = path.join(__dirname, '..', '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/**
 * Runs `code` in a Node process of its own (an unhandled rejection ends one with exit code 1). No
 * kill timer: a process killed for being slow on a loaded machine would read as exit code 1.
 */
function exitCodeOf(code: string): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSX, '--eval', code], { cwd: ROOT }, (error) => {
      resolve(error ? (typeof error.code === 'number' ? error.code : 1) : 0);
    });
  });
}

test("the result is the work's value, however often it is asked for", async () => {
  const early = startEarly(Promise.resolve(42));
  await expect(early.result()).resolves.toBe(42);
  await expect(early.result()).resolves.toBe(42);
});

test('a failure is raised, as the original error, where the result is asked for', async () => {
  const error = new Error('ssm:GetParameter throttled');
  const early = startEarly(Promise.reject(error));
  await new Promise((resolve) => setImmediate(resolve));
  await expect(early.result()).rejects.toBe(error);
});

test('a failure nobody asks about does not crash the process; the same failure left bare does', async () => {
  const failing = "Promise.reject(new Error('not needed after all'))";
  const [early, bare] = await Promise.all([
    exitCodeOf(`import { startEarly } from './lambdas/shared/started-early'; startEarly(${failing}); setTimeout(() => undefined, 20);`),
    exitCodeOf(`void ${failing}; setTimeout(() => undefined, 20);`),
  ]);
  expect({ early, bare }).toEqual({ early: 0, bare: 1 });
});
