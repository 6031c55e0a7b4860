import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BACKUP_OPERATIONS, DynamoBackups, DynamoError, type BackupRecord } from './dynamo-backups';
import type { FaultKind } from './sandbox';

export type MutationObserver = (operation: string, input: Record<string, unknown>) => Promise<void>;

export interface DynamoFault {
  readonly operation?: string;
  readonly error: FaultKind;
  readonly times?: number;
}

/** DynamoDB's own error answers (JSON 1.0), as the SDK parses them. */
const ERRORS: Record<Exclude<FaultKind, 'timeout'>, { status: number; type: string; message: string }> = {
  throttling: { status: 400, type: 'ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  'access-denied': { status: 400, type: 'AccessDeniedException', message: 'User is not authorized to perform this action' },
  'not-found': { status: 400, type: 'ResourceNotFoundException', message: 'Requested resource not found' },
  'server-error': { status: 500, type: 'InternalServerError', message: 'Internal server error' },
};

/** The not-found error each backup operation really answers with. */
const NOT_FOUND_BY_OPERATION: Readonly<Record<string, { type: string; message: string }>> = {
  CreateBackup: { type: 'TableNotFoundException', message: 'Table not found' },
  DescribeBackup: { type: 'BackupNotFoundException', message: 'Backup not found' },
};

export interface DynamoProxy {
  readonly url: string;
  injectFault(fault: DynamoFault): void;
  /** On-demand backups taken through the proxy (dynalite has none), with their items. */
  backups(): readonly BackupRecord[];
  close(): Promise<void>;
}

/**
 * A pass-through in front of the local DynamoDB (dynalite). It lets the drill read the ledger at
 * the moment a mutating call on a target table arrives, before it is applied, and fail the next
 * calls of an operation with DynamoDB's real error answers (dynalite cannot be told to throttle).
 * Ledger traffic passes straight through.
 */
export async function startDynamoProxy(
  upstream: string, mutating: ReadonlySet<string>, observe: MutationObserver,
  account: { region: string; accountId: string } = { region: 'sa-east-1', accountId: '111122223333' },
): Promise<DynamoProxy> {
  const target = new URL(upstream);
  const backups = new DynamoBackups(upstream, account.region, account.accountId);
  const answer = (res: http.ServerResponse, status: number, payload: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `drill-${Date.now()}` });
    res.end(JSON.stringify(payload));
  };
  const faults: { fault: DynamoFault; remaining: number }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      const observed = mutating.has(operation) ? observe(operation, input) : Promise.resolve();
      observed.then(() => {
        const active = faults.find((f) => f.remaining > 0 && (!f.fault.operation || f.fault.operation === operation));
        if (active) {
          active.remaining -= 1;
          if (active.fault.error === 'timeout') {
            setTimeout(() => res.destroy(), 250);
            return;
          }
          const e = { ...ERRORS[active.fault.error], ...(active.fault.error === 'not-found' ? NOT_FOUND_BY_OPERATION[operation] : {}) };
          answer(res, e.status, { __type: `com.amazonaws.dynamodb.v20120810#${e.type}`, message: e.message });
          return;
        }
        if (BACKUP_OPERATIONS.has(operation)) {
          backups.handle(operation, input).then(
            (out) => answer(res, 200, out),
            (e: unknown) => {
              if (e instanceof DynamoError) answer(res, e.status, { __type: `com.amazonaws.dynamodb.v20120810#${e.type}`, message: e.message });
              else answer(res, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: `Internal server error (drill: ${e instanceof Error ? e.message : String(e)})` });
            },
          );
          return;
        }
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
    injectFault: (fault) => faults.push({ fault, remaining: fault.times ?? 1 }),
    backups: () => backups.list(),
    close: () => new Promise<void>((resolve) => {
      backups.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
