import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type MutationObserver = (service: string, operation: string, input: Record<string, unknown>) => Promise<void>;

/**
 * A pass-through in front of the local DynamoDB that lets the drill look at the ledger at the
 * moment a mutating DynamoDB call (UpdateTable, DeleteItem on a target) arrives, before it is
 * applied. Ledger writes pass straight through.
 */
export async function startAuditProxy(upstream: string, mutating: ReadonlySet<string>, observe: MutationObserver): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(upstream);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const before = mutating.has(operation)
        ? observe('dynamodb', operation, JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>)
        : Promise.resolve();
      before.then(() => {
        const forward = http.request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (upstreamRes) => {
            res.writeHead(upstreamRes.statusCode ?? 500, upstreamRes.headers);
            upstreamRes.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        forward.end(body);
      }, () => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
