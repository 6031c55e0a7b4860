import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import * as http from 'node:http';
import { callerOf } from './callers';
import { CapacityModeRule } from './capacity-mode-rule';
import { BACKUP_OPERATIONS, DynamoBackups, DynamoError, type BackupRecord } from './dynamo-backups';
import { DYNAMODB_FAULTS, FaultQueue, planFault, SANDBOX_CREDENTIALS, SANDBOX_REGION, type InjectedFault } from './sandbox';
import { forward } from './sandbox/in-process';
import { ownPort, type Listen } from './sandbox/listen';

export type MutationObserver = (operation: string, input: Record<string, unknown>) => Promise<void>;

/** A fault on the DynamoDB API; its errors are DynamoDB's row of the sandbox's fault table. */
export interface DynamoFault extends InjectedFault {
  /** Only calls on this table (a table's name, the ledger's included); any table when absent. */
  readonly table?: string;
}

/** A mutating call on a target table, as the proxy received it, and whether it took effect (its answer may have been lost). */
export interface DynamoMutation {
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly applied: boolean;
}

/** A DynamoDB call as the proxy received it (the ledger's too): what it named, never the items. */
export interface DynamoCall {
  readonly operation: string;
  /** The table it names (TableName, or the tables of a batch's RequestItems). */
  readonly tables: readonly string[];
  /** The backup or resource ARN it names (DescribeBackup, ListTagsOfResource). */
  readonly arn?: string;
  /** The drill function that made it (drill/callers.ts). */
  readonly caller?: string;
}

export interface DynamoProxy {
  readonly url: string;
  /** Every call, in arrival order. */
  calls(): readonly DynamoCall[];
  injectFault(fault: DynamoFault): void;
  /** Drops the faults not used up yet. */
  clearFaults(): void;
  /** The mutating calls on target tables (not the ledger), in arrival order. */
  mutations(): readonly DynamoMutation[];
  /** On-demand backups taken through the proxy (dynalite has none), with their items. */
  backups(): readonly BackupRecord[];
  close(): Promise<void>;
}

/**
 * A pass-through in front of the local DynamoDB (dynalite). It lets the drill read the ledger at
 * the moment a mutating call on a target table arrives, before it is applied, and fail the next
 * calls of an operation with DynamoDB's real error answers (dynalite cannot be told to throttle).
 * A `timeout` fault answers nothing and applies nothing; an `applied-timeout` fault applies the call
 * (dynalite's, or the backup model's) and then answers nothing, as when a response is lost.
 * It also enforces the limit on switches to on-demand that dynalite does not (capacity-mode-rule.ts).
 * Ledger traffic passes straight through.
 */
export interface DynamoProxyOptions {
  /** The account backups are named in. */
  readonly account?: { region: string; accountId: string };
  /** The capacity-mode switch limit; a test passes one with its own clock. */
  readonly rule?: CapacityModeRule;
  /** Tables whose writes are not the account's changes (the ledger): not listed in mutations(). */
  readonly ledgerTables?: readonly string[];
  /** Where it takes requests. @default a random loopback port of its own */
  readonly listen?: Listen;
}

export async function startDynamoProxy(
  upstream: string, mutating: ReadonlySet<string>, observe: MutationObserver, options: DynamoProxyOptions = {},
): Promise<DynamoProxy> {
  const account = options.account ?? { region: SANDBOX_REGION, accountId: '111122223333' };
  const rule = options.rule ?? new CapacityModeRule();
  const backups = new DynamoBackups(upstream, account.region, account.accountId);
  const answer = (res: http.ServerResponse, status: number, payload: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `drill-${Date.now()}` });
    res.end(JSON.stringify(payload));
  };
  const faults = new FaultQueue<DynamoFault>();
  const mutations: { operation: string; input: Record<string, unknown>; applied: boolean }[] = [];
  const calls: DynamoCall[] = [];
  const ledgerTables = new Set(options.ledgerTables ?? []);
  const describer = new DynamoDBClient({ endpoint: upstream, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
  const reply = (res: http.ServerResponse, e: { status: number; type: string; message: string }) =>
    answer(res, e.status, { __type: `com.amazonaws.dynamodb.v20120810#${e.type}`, message: e.message });
  /** A failure of the drill itself, answered as DynamoDB's 500 with its reason (the caller's error says what broke). */
  const internalError = (res: http.ServerResponse, e: unknown) => {
    if (res.headersSent) res.destroy();
    else reply(res, { status: 500, type: 'InternalServerError', message: `Internal server error (drill: ${e instanceof Error ? e.message : String(e)})` });
  };
  /** Whether the table is provisioned now: only such a table's switch to on-demand counts toward the limit. */
  const provisioned = async (input: Record<string, unknown>): Promise<boolean> => {
    if (input.BillingMode !== 'PAY_PER_REQUEST' || typeof input.TableName !== 'string') return false;
    try {
      const table = (await describer.send(new DescribeTableCommand({ TableName: input.TableName }))).Table;
      return (table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED') === 'PROVISIONED';
    } catch (e: unknown) {
      // No such table: not provisioned; the update itself gets DynamoDB's answer.
      if (e instanceof ResourceNotFoundException) return false;
      throw e;
    }
  };
  /** Answers held back (timeout faults), each dropped when its hold ends or the proxy closes. */
  const holds = new Map<NodeJS.Timeout, http.ServerResponse>();
  const hold = (res: http.ServerResponse, ms: number) => {
    const timer = setTimeout(() => {
      holds.delete(timer);
      res.destroy();
    }, ms);
    holds.set(timer, res);
  };
  const listening = await (options.listen ?? ownPort())((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      const caller = callerOf(req.headers);
      const tables = typeof input.TableName === 'string' ? [input.TableName] : Object.keys((input.RequestItems ?? {}) as Record<string, unknown>);
      const arn = typeof input.BackupArn === 'string' ? input.BackupArn : typeof input.ResourceArn === 'string' ? input.ResourceArn : undefined;
      calls.push({ operation, tables, ...(arn ? { arn } : {}), ...(caller === undefined ? {} : { caller }) });
      const audited = mutating.has(operation) && input.TableName !== undefined && !ledgerTables.has(String(input.TableName));
      const record = audited ? { operation, input, applied: false } : undefined;
      if (record) mutations.push(record);
      const applied = (out: unknown) => {
        if (record) record.applied = true;
        return out;
      };
      const observed = mutating.has(operation) ? observe(operation, input) : Promise.resolve();
      observed.then(() => {
        const fault = faults.take(operation, (f) => f.table === undefined || f.table === input.TableName);
        const plan = planFault(fault, DYNAMODB_FAULTS, { service: 'dynamodb', operation, input, account });
        if (plan.kind === 'error') {
          reply(res, { status: plan.error.status, type: plan.error.code, message: plan.error.message });
          return;
        }
        // applied-timeout: the call is applied as usual, then its answer is dropped (the socket closed after a while).
        const answerLost = plan.kind === 'hang-up';
        const hangUp = () => hold(res, plan.kind === 'hang-up' ? plan.holdMs : 0);
        if (plan.kind === 'hang-up' && !plan.apply) {
          hangUp();
          return;
        }
        if (BACKUP_OPERATIONS.has(operation)) {
          if (answerLost) {
            backups.handle(operation, input).then(applied).then(hangUp, hangUp);
            return;
          }
          backups.handle(operation, input).then(applied).then(
            (out) => answer(res, 200, out),
            (e: unknown) => {
              if (e instanceof DynamoError) reply(res, e);
              else internalError(res, e);
            },
          );
          return;
        }
        return provisioned(input).then((wasProvisioned) => {
          const refusal = wasProvisioned ? rule.check(operation, input) : undefined;
          if (refusal) {
            reply(res, refusal);
            return;
          }
          // To dynalite: in process when it is served here (sandbox/in-process.ts), as the SDK's calls are.
          forward(upstream, { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }).then((upstreamAnswer) => {
            if (upstreamAnswer.statusCode === 200) {
              rule.accepted(operation, input, wasProvisioned);
              applied(undefined);
            }
            if (answerLost) return hangUp();
            res.writeHead(upstreamAnswer.statusCode, upstreamAnswer.headers);
            res.end(upstreamAnswer.body);
          }, () => res.destroy());
        });
      }).catch((e: unknown) => internalError(res, e));
    });
  });
  return {
    url: listening.url,
    calls: () => calls,
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    mutations: () => mutations,
    backups: () => backups.list(),
    close: async () => {
      describer.destroy();
      backups.close();
      for (const [timer, res] of holds) {
        clearTimeout(timer);
        res.destroy();
      }
      holds.clear();
      await listening.close();
    },
  };
}
