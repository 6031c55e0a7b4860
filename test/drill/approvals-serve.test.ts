import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { decideAsPerson, prefetchAsScanner } from '../../drill/approval-pages';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test('--serve-approvals prints each approver\'s link and waits for people: a GET decides nothing, two Approve clicks restore', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [TSX, 'drill/cli.ts', 'lambda-runaway', '--env', 'prod', '--serve-approvals', String(port)], { cwd: ROOT });
  let stdout = '';
  const links = new Map<string, string>();
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  const linked = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const m of stdout.matchAll(/approval link for (\w+) \(L1\): (http:\/\/127\.0\.0\.1:\d+\/\S+)/g)) links.set(m[1]!, m[2]!);
      if (links.size === 3) resolve();
    });
    void exited.then(() => reject(new Error(`the drill exited before printing the links:\n${stdout}`)));
  });
  try {
    await linked;
    expect([...links.keys()].sort()).toEqual(['alice', 'bob', 'carol']);
    expect(await prefetchAsScanner(links.get('carol')!)).toEqual([200, 200]);
    expect((await decideAsPerson(links.get('alice')!, 'approve')).message).toContain('1 of 2 distinct approvals so far');
    expect((await decideAsPerson(links.get('bob')!, 'approve')).message).toContain('Quorum reached (2 of 2)');
    expect(await exited).toBe(0);
    expect(stdout).toContain('REMEDIATED: emergency stop (reserved concurrency 0), then restored to a conservative 5');
    expect(stdout).toMatch(/approval L1 alice: approved/);
    expect(stdout).not.toMatch(/approval L1 carol/);
  } finally {
    child.kill();
  }
});
