/**
 * `npm run drill -- <args>` for a test: the same command, output and exit code, a new account and
 * ledger each run, in the test run's drill processes (drill-service.ts).
 *
 * A test file that runs drills here is not timed per test by Jest: each run is bounded by the pool
 * from the moment a drill process takes it (RUN_LIMIT_MS in drill-pool.ts), so how many runs wait
 * ahead of it, and how loaded the machine is, never decide a verdict.
 */
import { request } from 'node:http';
import type { CommandRun } from './drill-pool';
import { DRILL_SERVICE_VARIABLE } from './drill-service';

export type { CommandRun } from './drill-pool';

/** Jest's timeout for the file's tests: none in effect (the largest a timer takes). */
const UNTIMED = 2 ** 31 - 1;
jest.setTimeout(UNTIMED);

export function drillCommand(args: readonly string[]): Promise<CommandRun> {
  const url = process.env[DRILL_SERVICE_VARIABLE];
  if (!url) return Promise.reject(new Error(`${DRILL_SERVICE_VARIABLE} is not set: run the tests with jest.config.js (its global setup starts the drill processes)`));
  return new Promise((resolve, reject) => {
    // A connection of its own (no keep-alive agent): a kept-alive socket the service closes as idle
    // while this request reuses it ends in "socket hang up", a race a loaded machine makes likely.
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`the drill service answered ${res.statusCode}: ${body}`));
        else resolve(JSON.parse(body) as CommandRun);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ args }));
  });
}
