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

export class ReportRecords {
  private readonly db: DynamoDBDocumentClient;

  constructor(private readonly tableName: string, client: DynamoDBClient = new DynamoDBClient({}), private readonly now: () => Date = () => new Date()) {
    this.db = ledgerDocumentClient(client);
  }

  /** Everything the ledger holds of an incident; undefined when it has no record of it. */
  async rows(incidentId: string): Promise<IncidentRows | undefined> {
    const items = await this.query(`INCIDENT#${incidentId}`);
    const meta = items.find((i) => i.sk === 'META');
    if (!meta) return undefined;
    const incident = strip<IncidentRecord>(meta);
    const of = (prefix: string) => items.filter((i) => String(i.sk).startsWith(prefix));
    const actions = of('ACTION#').map((i) => strip<ActionRecord>(i));
    const facts = of('FACTS#').map((i) => strip<ExecutionFacts & { recordedAt?: string }>(i));
    const executions = [...new Set([incident.executionArn, ...actions.map((a) => a.executionArn), ...facts.map((f) => f.executionArn)].filter(Boolean))];
    // Each approval request in full, and the escalations of each execution's failed runs: read together.
    const [approvals, failures] = await Promise.all([
      Promise.all(of('APPROVAL#').map((listed) => this.request(listed))),
      Promise.all(executions.map(async (arn) => (await this.query(`EXECUTION#${arn}`, 'FAILURE#')).map((i) => strip<FailureNotice>(i)))).then((all) => all.flat()),
    ]);
    return { incident, actions, approvals, failures, facts };
  }

  /** An approval request's own row (its listing row when that is all there is), without its task token: a capability, it never leaves this function. */
  private async request(listed: Item): Promise<ReportedApproval> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `APPROVAL#${String(listed.requestId)}`, sk: 'REQUEST' }, ConsistentRead: true }));
    const { taskToken: _token, ...request } = strip<Item>(out.Item ?? listed);
    const gate = (request.gate as ReportedApproval['gate'] | undefined) ?? { step: String(listed.step), operation: String(listed.operation), target: String(listed.target) };
    return { decisions: {}, ...request, gate } as unknown as ReportedApproval;
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
