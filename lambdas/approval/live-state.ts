import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { LazyClient } from '../shared/lazy-sdk';
import { dynamoDbSdk, lambdaSdk } from '../shared/sdk-modules';
import type { LiveRead } from './gate-words';
import type { Gate } from './store';

// Loaded at the first read of their kind (lazy-sdk.ts): a page shows one gate, of one service.
const lambda = new LazyClient(lambdaSdk, (m): LambdaClient => new m.LambdaClient({}));
const dynamodb = new LazyClient(dynamoDbSdk, (m): DynamoDBClient => new m.DynamoDBClient({}));

/** A function's reserved concurrency and state now. */
export async function liveFunction(functionName: string): Promise<unknown> {
  const { m, client } = await lambda.get();
  const out = await client.send(new m.GetFunctionCommand({ FunctionName: functionName }));
  return { functionName, reservedConcurrency: out.Concurrency?.ReservedConcurrentExecutions ?? null, state: out.Configuration?.State ?? null };
}

/** A table's status, capacity mode and item count now. */
export async function liveTable(tableName: string): Promise<{ tableName: string; status: string | null; billingMode: string; itemCount: number | null }> {
  const { m, client } = await dynamodb.get();
  const table = (await client.send(new m.DescribeTableCommand({ TableName: tableName }))).Table;
  return { tableName, status: table?.TableStatus ?? null, billingMode: table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED', itemCount: table?.ItemCount ?? null };
}

/**
 * The gated target as it is now, re-read each time the page loads, so an approver decides on
 * the present state and not on the one the request was written from. Read-only calls: the
 * gate's own live read (its runbook's gates.ts), or by the gated call's service. Never throws:
 * what cannot be read is said to be unreadable.
 */
export async function liveState(gate: Gate, own: LiveRead | undefined, environment: Readonly<Record<string, string | undefined>>): Promise<unknown> {
  try {
    if (own) return await own(gate, environment);
    if (gate.operation.startsWith('lambda:')) return await liveFunction(gate.target);
    if (gate.operation.startsWith('dynamodb:')) return await liveTable(gate.target);
    return { note: `no live read is defined for ${gate.operation}` };
  } catch (e: unknown) {
    return { unreadable: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
