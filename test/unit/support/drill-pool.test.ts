/**
 * The drill processes' pool, as Jest's global teardown uses it: closing must keep Node.js running
 * until the processes have exited. A close that let the process exit early ended `npm test` with
 * code 0 before Jest wrote its results, failed tests included.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

test('a process that closes the pool after a run goes on after the close, to its own exit code', () => {
  const script = `
    const { DrillPool } = require('./test/support/drill-pool.ts');
    (async () => {
      const pool = new DrillPool(1);
      const run = await pool.run(['--help']);
      await pool.close();
      console.log('closed after a run that exited ' + run.code);
      process.exitCode = 7;
    })();`;
  const child = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'node'), ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(child.stdout).toContain('closed after a run that exited');
  expect(child.status).toBe(7);
});
