import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, TagResourceCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import dynalite from 'dynalite';
import type { RequestListener } from 'node:http';
import { SANDBOX_CREDENTIALS } from './env';
import { serveInProcess } from './in-process';
import { startListening } from './listen';
import { SANDBOX_ACCOUNT_ID, SANDBOX_REGION, SEED_TABLES, seedTasks } from './seed-account';

/** DynamoDB for the drill: dynalite, a real implementation of the API, in memory. */

export interface LocalDynamo {
  /** http://127.0.0.1:PORT; pass it as sandboxEndpointEnv(url, { dynamodb }). */
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

export interface ProvisionedTableSpec {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** 5 when absent. */
  readonly readCapacityUnits?: number;
  /** 5 when absent. */
  readonly writeCapacityUnits?: number;
  /** Resource tags (dynalite keeps them; ListTagsOfResource reads them). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Starts an empty in-memory DynamoDB on a random loopback port; table changes are immediate. */
export async function startDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await startListening(server);
  const unserve = serveInProcess(endpoint, server.listeners('request')[0] as RequestListener);
  return {
    endpoint,
    close: () => {
      unserve();
      return new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/**
 * Waits until the table is ACTIVE, as a DynamoDB client must before it uses a table it created or
 * changed (dynalite makes it ACTIVE a moment later, on a timer).
 */
export async function untilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`table ${tableName} is still not ACTIVE`);
}

export async function createProvisionedTables(endpoint: string, specs: readonly ProvisionedTableSpec[]): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  try {
    for (const spec of specs) {
      const keys = spec.sortKey === undefined ? [spec.partitionKey] : [spec.partitionKey, spec.sortKey];
      await client.send(
        new CreateTableCommand({
          TableName: spec.name,
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: {
            ReadCapacityUnits: spec.readCapacityUnits ?? 5,
            WriteCapacityUnits: spec.writeCapacityUnits ?? 5,
          },
          AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
          KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
        }),
      );
      if (spec.tags) {
        // dynalite finds the table by the ARN's last segment; the account and region are ours.
        await client.send(new TagResourceCommand({
          ResourceArn: `arn:aws:dynamodb:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:table/${spec.name}`,
          Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })),
        }));
      }
    }
    for (const spec of specs) await untilActive(client, spec.name);
  } finally {
    client.destroy();
  }
}

/** The seed's provisioned tables, cabruca-segmentation-prod-agent-{state,memory,tasks}, and the tasks in the tasks table. */
export async function createSeedTables(endpoint: string, now: Date = new Date()): Promise<void> {
  await createProvisionedTables(endpoint, SEED_TABLES);
  const client = new DynamoDBClient({ endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  try {
    for (const task of seedTasks(now)) {
      await client.send(new PutItemCommand({ TableName: 'cabruca-segmentation-prod-agent-tasks', Item: marshall(task) }));
    }
  } finally {
    client.destroy();
  }
}
