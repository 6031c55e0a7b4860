import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import { taskKeySchema } from '../domain/stuck-tasks';
import { liveTasks, stuckTaskTablesSchema, type StuckTaskTables } from './live-tasks';

const lambda = new LambdaClient({});
const dynamodb = new DynamoDBClient({});
/** Tasks tables whose stuck-task deletes are gated; absent or empty: none. */
const stuckTaskTables: StuckTaskTables = stuckTaskTablesSchema.parse(JSON.parse(process.env.STUCK_TASK_TABLES ?? '{}'));
const keysSchema = z.array(taskKeySchema).min(1);

/**
 * The gated target as it is now, re-read each time the page loads, so an approver decides on
 * the present state and not on the one the request was written from. Read-only calls. A gated
 * delete of stuck tasks also re-reads those tasks: how many are still pending now.
 */
export async function liveState(operation: string, target: string, parameters: Readonly<Record<string, unknown>> = {}): Promise<unknown> {
  try {
    if (operation.startsWith('lambda:')) {
      const out = await lambda.send(new GetFunctionCommand({ FunctionName: target }));
      return { functionName: target, reservedConcurrency: out.Concurrency?.ReservedConcurrentExecutions ?? null, state: out.Configuration?.State ?? null };
    }
    if (operation.startsWith('dynamodb:')) {
      const table = (await dynamodb.send(new DescribeTableCommand({ TableName: target }))).Table;
      const state = { tableName: target, status: table?.TableStatus ?? null, billingMode: table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED', itemCount: table?.ItemCount ?? null };
      const spec = stuckTaskTables[target];
      const keys = keysSchema.safeParse(parameters.Keys);
      if (operation !== 'dynamodb:DeleteItem' || !spec || !keys.success) return state;
      return { ...state, tasks: await liveTasks(dynamodb, target, keys.data, spec) };
    }
    return { note: `no live read is defined for ${operation}` };
  } catch (e: unknown) {
    return { unreadable: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
