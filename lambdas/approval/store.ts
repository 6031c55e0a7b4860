import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Decision, DecisionValue, Level } from '../domain/approval';
import { ledgerDocumentClient } from '../shared/ledger';

/**
 * Approval requests in the remediation ledger (same table, own keys; rows never expire):
 *   APPROVAL#<requestId> / REQUEST             the gate, the policy, the task token, the status
 *   APPROVAL#<requestId> / DECISION#<approver> one per approver (a conditional put: single use)
 *   INCIDENT#<id> / APPROVAL#<requestId>        the request in its incident's collection
 */
export type RequestStatus = 'open' | 'approved' | 'rejected' | 'timed-out' | 'closing';

export interface Gate {
  readonly runbook: string;
  readonly step: string;
  /** What fired: the incident's summary and trigger. */
  readonly summary: string;
  readonly firedAt: string;
  readonly operation: string;
  readonly target: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly evidence: unknown;
  readonly severity: string;
}

export interface ApprovalRequest {
  readonly requestId: string;
  readonly incidentId: string;
  readonly executionArn: string;
  readonly gate: Gate;
  readonly level: Level;
  readonly requiredApprovals: number;
  /** Who may decide (by name), and who may not (the person who started a manual run). */
  readonly approvers: readonly string[];
  readonly startedBy: string | null;
  readonly taskToken: string;
  readonly createdAt: string;
  readonly deadline: string;
  readonly status: RequestStatus;
  readonly outcome?: string;
  readonly closedAt?: string;
}

const requestKey = (id: string) => ({ pk: `APPROVAL#${id}`, sk: 'REQUEST' });
const decisionKey = (id: string, approver: string) => ({ pk: `APPROVAL#${id}`, sk: `DECISION#${approver}` });
const incidentRowKey = (incidentId: string, id: string) => ({ pk: `INCIDENT#${incidentId}`, sk: `APPROVAL#${id}` });

export class ApprovalStore {
  private readonly db: DynamoDBDocumentClient;

  constructor(private readonly tableName: string, client: DynamoDBClient = new DynamoDBClient({}), private readonly now: () => Date = () => new Date()) {
    this.db = ledgerDocumentClient(client);
  }

  /** Records a new request (and its row in the incident's collection) before anyone is asked. */
  async create(request: Omit<ApprovalRequest, 'status'>, status: RequestStatus = 'open', outcome?: string): Promise<void> {
    const closed = outcome ? { outcome, closedAt: request.createdAt } : {};
    await this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...requestKey(request.requestId), ...request, status, ...closed },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
    await this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: {
        ...incidentRowKey(request.incidentId, request.requestId), requestId: request.requestId, step: request.gate.step,
        operation: request.gate.operation, target: request.gate.target, level: request.level, requiredApprovals: request.requiredApprovals,
        approvers: request.approvers, createdAt: request.createdAt, deadline: request.deadline, status, ...closed,
      },
    }));
  }

  async get(requestId: string): Promise<ApprovalRequest | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: requestKey(requestId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = out.Item;
    return rest as ApprovalRequest;
  }

  /** Single use per approver: a second decision by the same person is refused, whatever it says. */
  async recordDecision(requestId: string, d: Decision): Promise<{ recorded: true } | { recorded: false; existing: Decision }> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...decisionKey(requestId, d.approver), requestId, ...d },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return { recorded: true };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: decisionKey(requestId, d.approver), ConsistentRead: true }));
      return { recorded: false, existing: out.Item as Decision };
    }
  }

  async decisions(requestId: string): Promise<Decision[]> {
    const out = await this.db.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
      ExpressionAttributeValues: { ':pk': `APPROVAL#${requestId}`, ':d': 'DECISION#' },
      ConsistentRead: true,
    }));
    return (out.Items ?? []).map(({ approver, decision, at, comment, level }) => ({ approver, decision, at, level, ...(comment ? { comment } : {}) }) as Decision)
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  /**
   * Moves a request from one status to another; only one caller wins (a conditional write), so
   * only one sends the task result to Step Functions.
   */
  async transition(request: Pick<ApprovalRequest, 'requestId' | 'incidentId'>, from: RequestStatus, to: RequestStatus, outcome: string): Promise<boolean> {
    const at = this.now().toISOString();
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: requestKey(request.requestId),
        UpdateExpression: 'SET #status = :to, outcome = :outcome, closedAt = :at',
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':to': to, ':from': from, ':outcome': outcome, ':at': at },
      }));
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: incidentRowKey(request.incidentId, request.requestId),
      UpdateExpression: 'SET #status = :to, outcome = :outcome, closedAt = :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':to': to, ':outcome': outcome, ':at': at },
    }));
    return true;
  }

  /** The incident's requests for one step, oldest first (escalation closes the earlier ones). */
  async forIncident(incidentId: string): Promise<{ requestId: string; step: string; level: Level; status: RequestStatus; createdAt: string }[]> {
    const out = await this.db.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
      ExpressionAttributeValues: { ':pk': `INCIDENT#${incidentId}`, ':a': 'APPROVAL#' },
      ConsistentRead: true,
    }));
    return ((out.Items ?? []) as { requestId: string; step: string; level: Level; status: RequestStatus; createdAt: string }[])
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}

export type { DecisionValue };
