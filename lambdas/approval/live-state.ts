import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';

const lambda = new LambdaClient({});
const dynamodb = new DynamoDBClient({});

/**
 * The gated target as it is now, re-read each time the page loads, so an approver decides on
 * the present state and not on the one the request was written from. Read-only calls.
 */
export async function liveState(operation: string, target: string): Promise<unknown> {
  try {
    if (operation.startsWith('lambda:')) {
      const out = await lambda.send(new GetFunctionCommand({ FunctionName: target }));
      return { functionName: target, reservedConcurrency: out.Concurrency?.ReservedConcurrentExecutions ?? null, state: out.Configuration?.State ?? null };
    }
    if (operation.startsWith('dynamodb:')) {
      const table = (await dynamodb.send(new DescribeTableCommand({ TableName: target }))).Table;
      return { tableName: target, status: table?.TableStatus ?? null, billingMode: table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED', itemCount: table?.ItemCount ?? null };
    }
    return { note: `no live read is defined for ${operation}` };
  } catch (e: unknown) {
    return { unreadable: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
