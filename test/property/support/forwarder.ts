import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback pass-through whose upstream can be switched between property runs. Handlers read
 * their endpoints and table name once, at import; pointing them at a forwarder lets every run use
 * a fresh sandbox and a fresh ledger table without importing the handlers again.
 */
export interface Forwarder {
  readonly url: string;
  /** Sends requests to `upstream`; a JSON body whose TableName is `table.from` is sent to `table.to`. */
  route(upstream: string, table?: { from: string; to: string }): void;
  close(): Promise<void>;
}

export async function startForwarder(): Promise<Forwarder> {
  let upstream: URL | undefined;
  let table: { from: string; to: string } | undefined;
  const agent = new http.Agent({ keepAlive: true });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const to = upstream;
      if (to === undefined) {
        res.writeHead(503);
        res.end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (table !== undefined && body.length > 0) {
        const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        if (json.TableName === table.from) {
          json.TableName = table.to;
          body = Buffer.from(JSON.stringify(json), 'utf8');
        }
      }
      const headers: http.OutgoingHttpHeaders = { ...req.headers, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const forward = http.request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    route(next, rewrite) {
      upstream = new URL(next);
      table = rewrite;
    },
    close: () => new Promise<void>((resolve) => {
      agent.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
