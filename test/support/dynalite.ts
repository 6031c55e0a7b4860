import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { startListening } from '../../drill/sandbox/listen';
import { LEDGER_PARTITION_KEY, LEDGER_SORT_KEY } from '../../lambdas/shared/ledger-table';

export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  createLedgerTable(name: string): Promise<void>;
  close(): Promise<void>;
}

/** A real DynamoDB implementation (dynalite, in memory) on a random loopback port. */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await startListening(server);
  const client = new DynamoDBClient({ endpoint, region: 'sa-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    endpoint,
    client,
    async createLedgerTable(name: string) {
      await client.send(new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: LEDGER_PARTITION_KEY, AttributeType: 'S' }, { AttributeName: LEDGER_SORT_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: LEDGER_PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: LEDGER_SORT_KEY, KeyType: 'RANGE' }],
      }));
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Environment every handler reads, pointed at a local DynamoDB. */
export function handlerTestEnv(endpoint: string, ledgerTable: string): Record<string, string> {
  return {
    AWS_REGION: 'sa-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    LEDGER_TABLE: ledgerTable,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
}
