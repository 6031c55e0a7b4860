/** A pass-through in front of a local DynamoDB whose every request and answer waits for a scheduler's go. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Scheduler } from 'fast-check';

export type Gate = (label: string) => Promise<void>;

/** A gate that waits for fast-check's scheduler to release each labelled point (`fc.scheduler()`). */
export const schedulerGate = (s: Scheduler): Gate => (label) => s.schedule(Promise.resolve(label), label).then(() => undefined);

export interface SchedulingProxy {
  readonly url: string;
  /** Who releases the calls from now on (fast-check's scheduler); null lets them straight through. */
  setGate(gate: Gate | null): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'host', 'content-encoding']);

/**
 * Every DynamoDB call that crosses it becomes two scheduling points (the request leaving, its
 * answer arriving), so a test can interleave what handlers do between their reads and their
 * conditional writes, against the real DynamoDB (dynalite) behind it.
 */
export async function startSchedulingProxy(upstream: string): Promise<SchedulingProxy> {
  let gate: Gate | null = null;
  const pass: Gate = (label) => (gate ? gate(label) : Promise.resolve());
  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '?';
      await pass(`dynamodb ${operation}`);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => !HOP_BY_HOP.has(k) && typeof v === 'string')) as Record<string, string>;
      const answer = await fetch(`${upstream}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body: Buffer.concat(chunks) });
      const body = Buffer.from(await answer.arrayBuffer());
      await pass(`dynamodb ${operation} answered`);
      const out: Record<string, string> = {};
      answer.headers.forEach((v, k) => {
        if (!HOP_BY_HOP.has(k)) out[k] = v;
      });
      res.writeHead(answer.status, out).end(body);
    })().catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setGate: (g) => {
      gate = g;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
