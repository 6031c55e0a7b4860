/** What handler tests that write the ledger share: dynalite with a ledger table, the handler environment, fresh incident ids. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { Ledger } from '../../lambdas/shared/ledger';
import { handlerTestEnv, startDynalite, type LocalDynamo } from './dynalite';
import { nthIncidentId } from './fixtures';

export interface LedgerHarness {
  /** The local DynamoDB the ledger (and any table a test creates) lives in. */
  readonly dynamo: LocalDynamo;
  readonly ledger: Ledger;
  /** A fresh incident id per call (`fill` keeps each file's ids apart). */
  nextIncidentId(): string;
}

export interface LedgerHarnessOptions {
  /** Added to the handler environment (ALLOWED_TARGETS, ...). */
  readonly env?: Record<string, string>;
  /** A file that mocks DynamoDBClient: the mock catches dynalite's client too, so the ledger table's creation is let through it. */
  readonly mockedDynamo?: AwsClientStub<DynamoDBClient>;
}

/**
 * Starts dynalite with a table named `ledger` before the file's tests (register it before the
 * `beforeAll` that imports the handler, so the handler cold-starts with this environment), and
 * stops it after them.
 */
export function ledgerHarness(fill: string, options: LedgerHarnessOptions = {}): LedgerHarness {
  let seq = 0;
  const harness = { nextIncidentId: () => nthIncidentId(fill, ++seq) } as LedgerHarness & { dynamo: LocalDynamo; ledger: Ledger };
  beforeAll(async () => {
    harness.dynamo = await startDynalite();
    const mock = options.mockedDynamo;
    mock?.send.callThrough();
    await harness.dynamo.createLedgerTable('ledger');
    mock?.reset();
    harness.ledger = new Ledger('ledger', harness.dynamo.client);
    Object.assign(process.env, handlerTestEnv(harness.dynamo.endpoint, 'ledger'), options.env ?? {});
  });
  afterAll(() => harness.dynamo.close());
  return harness;
}
