/**
 * What the report reads and writes in the remediation ledger (the same table, the ledger's own
 * document client): every row of an incident, the facts a run recorded for it, and the claim on the
 * S3 key its report is written at.
 *   INCIDENT#<id> / META, ACTION#..., APPROVAL#..., FACTS#<execution>   the incident's collection
 *   APPROVAL#<request> / REQUEST                                      each approval request in full
 *   EXECUTION#<arn> / FAILURE#<n>                                     the escalation of each failed run
 *   REPORT#<key> / META                                               the incident whose report the key holds
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FailureNotice, IncidentRows, ReportedApproval } from '../domain/incident-report';
import type { ExecutionFacts } from '../domain/report-facts';
import { ledgerDocumentClient, type ActionRecord, type IncidentRecord } from '../shared/ledger';

type Item = Record<string, unknown>;

const strip = <T>({ pk: _pk, sk: _sk, ...rest }: Item): T => rest as T;
const factsKey = (incidentId: string, executionArn: string) => ({ pk: `INCIDENT#${incidentId}`, sk: `FACTS#${executionArn}` });

/**
 * An incident's rows for its report, from ledger items as DynamoDB holds them: its collection
 * (`INCIDENT#<id>`), the approval requests it lists (`APPROVAL#<request>` / `REQUEST`) and the
 * escalations of its executions' failed runs (`EXECUTION#<arn>` / `FAILURE#...`); other items are
 * ignored. Undefined when there is no incident record. The deployed ledger (ReportRecords) and the
 * drill's kept ledger (`autopilot --local report`) both read through it.
 */
export function incidentRowsFrom(items: readonly Item[], incidentId: string): IncidentRows | undefined {
  const own = items.filter((i) => i.pk === `INCIDENT#${incidentId}`);
  const meta = own.find((i) => i.sk === 'META');
  if (!meta) return undefined;
  const incident = strip<IncidentRecord>(meta);
  const of = (prefix: string) => own.filter((i) => String(i.sk).startsWith(prefix));
  const actions = of('ACTION#').map((i) => strip<ActionRecord>(i));
  const facts = of('FACTS#').map((i) => strip<ExecutionFacts & { recordedAt?: string }>(i));
  const approvals = of('APPROVAL#').map((listed) => approvalOf(listed, items.find((i) => i.pk === `APPROVAL#${String(listed.requestId)}` && i.sk === 'REQUEST')));
  const failures = executionsOf({ incident, actions, facts })
    .flatMap((arn) => items.filter((i) => i.pk === `EXECUTION#${arn}` && String(i.sk).startsWith('FAILURE#')).map((i) => strip<FailureNotice>(i)));
  return { incident, actions, approvals, failures, facts };
}

/** The executions an incident's rows name: its own, and those of its actions and recorded facts. */
const executionsOf = (rows: Pick<IncidentRows, 'incident' | 'actions' | 'facts'>): string[] =>
  [...new Set([rows.incident.executionArn, ...rows.actions.map((a) => a.executionArn), ...rows.facts.map((f) => f.executionArn)].filter(Boolean))];

/** An approval request's own row (its listing row when that is all there is), without its task token: a capability, it never leaves here. */
function approvalOf(listed: Item, full: Item | undefined): ReportedApproval {
  const { taskToken: _token, ...request } = strip<Item>(full ?? listed);
  const gate = (request.gate as ReportedApproval['gate'] | undefined) ?? { step: String(listed.step), operation: String(listed.operation), target: String(listed.target) };
  return { decisions: {}, ...request, gate } as unknown as ReportedApproval;
}

export class ReportRecords {
  private readonly db: DynamoDBDocumentClient;

  constructor(private readonly tableName: string, client: DynamoDBClient = new DynamoDBClient({}), private readonly now: () => Date = () => new Date()) {
    this.db = ledgerDocumentClient(client);
  }

  /** Everything the ledger holds of an incident; undefined when it has no record of it. */
  async rows(incidentId: string): Promise<IncidentRows | undefined> {
    const collection = await this.query(`INCIDENT#${incidentId}`);
    const listed = incidentRowsFrom(collection, incidentId);
    if (!listed) return undefined;
    // Each approval request in full, and the escalations of each execution's failed runs: read together.
    const [requests, failures] = await Promise.all([
      Promise.all(collection.filter((i) => String(i.sk).startsWith('APPROVAL#')).map(async (i) => {
        const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `APPROVAL#${String(i.requestId)}`, sk: 'REQUEST' }, ConsistentRead: true }));
        return out.Item ? [out.Item] : [];
      })).then((all) => all.flat()),
      Promise.all(executionsOf(listed).map((arn) => this.query(`EXECUTION#${arn}`, 'FAILURE#'))).then((all) => all.flat()),
    ]);
    return incidentRowsFrom([...collection, ...requests, ...failures], incidentId);
  }

  /** Records what a run held, unless a later run of the same execution recorded its own already. */
  async recordFacts(incidentId: string, facts: ExecutionFacts): Promise<void> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...factsKey(incidentId, facts.executionArn), ...facts, recordedAt: this.now().toISOString() },
        ConditionExpression: 'attribute_not_exists(pk) OR redriveCount <= :run',
        ExpressionAttributeValues: { ':run': facts.redriveCount },
      }));
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  /** Claims an S3 key for an incident's report: granted when free or already this incident's (one conditional write). */
  async claimKey(key: string, incidentId: string): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { pk: `REPORT#${key}`, sk: 'META', key, incidentId, claimedAt: this.now().toISOString() },
        ConditionExpression: 'attribute_not_exists(pk) OR incidentId = :id',
        ExpressionAttributeValues: { ':id': incidentId },
      }));
      return true;
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      return false;
    }
  }

  /** Notes on the incident where its report is: every later write of it goes there. */
  async setReportKey(incidentId: string, key: string): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk: `INCIDENT#${incidentId}`, sk: 'META' },
      UpdateExpression: 'SET reportKey = :key',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':key': key },
    }));
  }

  /** Every item under a partition key (and sort key prefix), every page, consistently. */
  private async query(pk: string, skPrefix?: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :sk)' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(skPrefix ? { ':sk': skPrefix } : {}) },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
