/** What the undo handler tests share: a dynalite ledger and one undo handler loaded against it. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { planUndo, type RestoreStep } from '../../../lambdas/domain/undo-plan';
import { Ledger } from '../../../lambdas/shared/ledger';
import { handlerTestEnv, startDynalite, type LocalDynamo } from '../../support/dynalite';
import type { lambdaContext } from '../../support/fixtures';

export const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
export const RUNBOOK_EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-lambda-runaway:run-1';
export const UNDO_EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-undo:undo-1';

export type UndoHandler = (event: unknown, context: typeof lambdaContext) => Promise<Record<string, unknown>>;

export interface UndoHarness {
  /** The local DynamoDB the ledger (and any table a test creates) lives in. */
  readonly dynamo: LocalDynamo;
  readonly ledger: Ledger;
  readonly handler: UndoHandler;
  /** A fresh incident id per test (`fill` keeps each file's ids apart). */
  nextIncidentId(): string;
}

/**
 * Starts dynalite with a ledger table, sets the handler's environment (plus `env`) and only then
 * imports the handler module, as Lambda would cold-start it. `whileCreatingLedger` wraps the table
 * creation, for a test that mocks the DynamoDB client and must let that call through.
 */
export function undoHarness(
  load: () => Promise<{ handler: unknown }>, fill: string,
  options: { env?: Record<string, string>; whileCreatingLedger?: (create: () => Promise<void>) => Promise<void> } = {},
): UndoHarness {
  let dynamo: LocalDynamo;
  let seq = 0;
  const harness = {
    nextIncidentId: () => `inc-${(++seq).toString(16).padStart(16, fill)}`,
  } as { dynamo: LocalDynamo; ledger: Ledger; handler: UndoHandler; nextIncidentId(): string };
  beforeAll(async () => {
    dynamo = await startDynalite();
    harness.dynamo = dynamo;
    const create = () => dynamo.createLedgerTable('ledger');
    await (options.whileCreatingLedger ? options.whileCreatingLedger(create) : create());
    harness.ledger = new Ledger('ledger', dynamo.client);
    Object.assign(process.env, handlerTestEnv(dynamo.endpoint, 'ledger'), options.env ?? {});
    harness.handler = (await load()).handler as UndoHandler;
  });
  afterAll(() => dynamo.close());
  return harness;
}

/** For a file that mocks DynamoDBClient: the mock catches dynalite's client too, so the ledger table's creation goes through it. */
export const throughMock = (dynamodb: AwsClientStub<DynamoDBClient>) => async (create: () => Promise<void>): Promise<void> => {
  dynamodb.send.callThrough();
  await create();
  dynamodb.reset();
};

/** The restore step the plan makes from one finished action (the same path the state machine takes). */
export function restoreOf(step: string, operation: string, target: string, before: unknown, after: unknown): RestoreStep {
  const [restore] = planUndo([{ actionKey: `${step}#${operation}#${target}`, operation, target, before, after, status: 'succeeded', executionArn: RUNBOOK_EXEC }]).restores;
  return restore!;
}
