/**
 * The test run's drill processes (drill-pool.ts), behind a loopback HTTP endpoint that every test
 * file of the run reaches (drills.ts): Jest's global setup starts it, so the processes start once
 * per `npm test`, not once per file. POST a JSON `{ args }`, get the CommandRun back.
 *
 * The same command asked for again in the run is run once: what it prints depends on its arguments
 * and the repository's files (the tests read results, each its own copy), and several files drill
 * a runbook's recorded event as it is.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DrillPool, type CommandRun } from './drill-pool';

/** Where test files find the service (set by the global setup, inherited by Jest's workers). */
export const DRILL_SERVICE_VARIABLE = 'RUNBOOK_AUTOPILOT_DRILL_SERVICE';

export interface DrillService {
  readonly url: string;
  close(): Promise<void>;
}

export async function startDrillService(pool = new DrillPool()): Promise<DrillService> {
  const runs = new Map<string, Promise<CommandRun>>();
  const run = (args: readonly string[]) => {
    const key = JSON.stringify(args);
    let started = runs.get(key);
    if (!started) runs.set(key, (started = pool.run(args)));
    return started;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let args: unknown;
      try {
        args = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { args?: unknown }).args;
      } catch {
        args = undefined;
      }
      if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
        res.writeHead(400).end('expected {"args": [string, ...]}');
        return;
      }
      void run(args).then((done) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(done)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      server.ref(); // unref'd, its close would not keep Node.js running until it is done
      await pool.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
