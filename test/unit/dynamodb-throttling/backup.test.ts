import 'aws-sdk-client-mock-jest';
import {
  CreateBackupCommand,
  DynamoDBClient,
  InternalServerError,
  ListBackupsCommand,
  ThrottlingException,
  type BackupSummary,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

// Mocks the tasks table's client only: the ledger talks to dynalite through the document client.
const dynamodb = mockClient(DynamoDBClient);
const TABLE = 'cabruca-segmentation-prod-agent-tasks';
const ACTION_KEY = `backup#dynamodb:CreateBackup#${TABLE}`;
const FIRED_AT = '2026-11-23T03:00:00.000+0000';
/** The alarm's firing time less the five-minute clock margin: no backup of this incident is older. */
const LOWER_BOUND = new Date('2026-11-23T02:55:00.000Z');
const backupArn = (suffix: string) => `arn:aws:dynamodb:sa-east-1:111122223333:table/${TABLE}/backup/0179547325642${suffix}-78615023`;

interface BackupResult {
  operation: string;
  target: string;
  before: unknown;
  after: { backupArn: string; backupName: string; backupStatus: string; backupSizeBytes: number | null; adopted: boolean };
  replayed: boolean;
  planned: boolean;
}
const h = ledgerHarness('b', { mockedDynamo: dynamodb, env: { ALLOWED_TARGETS: JSON.stringify([TABLE]) } });
let handler: (event: unknown, context: typeof lambdaContext) => Promise<BackupResult>;
let incidentId: string;

beforeAll(async () => {
  handler = (await import('../../../runbooks/dynamodb-throttling/handlers/backup')).handler as typeof handler;
});

beforeEach(() => {
  dynamodb.reset();
  incidentId = h.nextIncidentId();
});

const backupName = () => `stuck-tasks-${incidentId}`;
const input = (dryRun = false) => ({
  incident: incident({ id: incidentId, runbook: 'dynamodb-throttling', target: TABLE, firedAt: FIRED_AT }),
  execution: { id: EXECUTION_ARN }, dryRun, stuckCount: 3,
});
const summary = (overrides: Partial<BackupSummary> = {}): BackupSummary => ({
  TableName: TABLE, BackupArn: backupArn('2'), BackupName: backupName(), BackupStatus: 'CREATING', BackupType: 'USER',
  BackupCreationDateTime: new Date('2026-11-23T03:10:00Z'), BackupSizeBytes: 1061, ...overrides,
});

test('no earlier backup: lists the table\'s user backups since the alarm fired, then creates one with the exact parameters', async () => {
  dynamodb.on(ListBackupsCommand).resolves({ BackupSummaries: [summary({ BackupName: 'stuck-tasks-inc-ffffffffffffffff', BackupArn: backupArn('9') })] });
  dynamodb.on(CreateBackupCommand).resolves({ BackupDetails: { BackupArn: backupArn('3'), BackupName: backupName(), BackupStatus: 'CREATING', BackupSizeBytes: 0, BackupType: 'USER', BackupCreationDateTime: new Date() } });

  const result = await handler(input(), lambdaContext);

  expect(dynamodb).toHaveReceivedCommandWith(ListBackupsCommand, { TableName: TABLE, BackupType: 'USER', TimeRangeLowerBound: LOWER_BOUND });
  expect(dynamodb).toHaveReceivedCommandTimes(CreateBackupCommand, 1);
  expect(dynamodb.commandCalls(CreateBackupCommand)[0]!.args[0].input).toEqual({ TableName: TABLE, BackupName: backupName() });
  expect(result).toMatchObject({ replayed: false, planned: false, after: { backupArn: backupArn('3'), backupStatus: 'CREATING', adopted: false } });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ actionKey: ACTION_KEY, status: 'succeeded', before: { stuckTasks: 3 }, after: { backupArn: backupArn('3'), adopted: false } });
});

test('a backup of this name from an earlier attempt is adopted: CreateBackup is not sent and the ledger row names it', async () => {
  dynamodb.on(ListBackupsCommand).resolves({ BackupSummaries: [summary({ BackupStatus: 'AVAILABLE' })] });

  const result = await handler(input(), lambdaContext);

  expect(dynamodb).toHaveReceivedCommandTimes(CreateBackupCommand, 0);
  expect(result.after).toEqual({ backupArn: backupArn('2'), backupName: backupName(), backupStatus: 'AVAILABLE', backupSizeBytes: 1061, adopted: true });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'succeeded', after: { backupArn: backupArn('2'), adopted: true } });
});

test('a Retry after a lost answer: the row is settled from the table\'s backups (the one that call made is adopted), and no second backup is made', async () => {
  // The first attempt wrote its row of intent, and its CreateBackup took effect, but the answer never came.
  await h.ledger.recordIntent({
    incidentId, actionKey: ACTION_KEY, runbook: 'dynamodb-throttling', operation: 'dynamodb:CreateBackup', target: TABLE,
    executionArn: EXECUTION_ARN, before: { stuckTasks: 3 }, parameters: { TableName: TABLE, BackupName: backupName() },
  });
  dynamodb.on(ListBackupsCommand).resolves({ BackupSummaries: [summary()] });

  const result = await handler(input(), lambdaContext);

  expect(dynamodb).toHaveReceivedCommandTimes(CreateBackupCommand, 0);
  expect(result).toMatchObject({ before: { stuckTasks: 3 }, after: { backupArn: backupArn('2'), adopted: true } });
  expect(await h.ledger.listActions(incidentId)).toEqual([expect.objectContaining({
    status: 'succeeded', attempts: 1, reconciledAt: expect.any(String), after: expect.objectContaining({ backupArn: backupArn('2'), adopted: true }),
  })]);
});

test('DELETED backups and other names are not adopted; of several of this name the oldest is', async () => {
  dynamodb.on(ListBackupsCommand).resolves({
    BackupSummaries: [
      summary({ BackupArn: backupArn('1'), BackupStatus: 'DELETED', BackupCreationDateTime: new Date('2026-11-23T03:01:00Z') }),
      summary({ BackupArn: backupArn('5'), BackupCreationDateTime: new Date('2026-11-23T03:20:00Z') }),
      summary({ BackupArn: backupArn('4'), BackupCreationDateTime: new Date('2026-11-23T03:05:00Z') }),
      summary({ BackupArn: backupArn('6'), BackupName: `${backupName()}-copy`, BackupCreationDateTime: new Date('2026-11-23T03:02:00Z') }),
    ],
  });

  const result = await handler(input(), lambdaContext);

  expect(result.after).toMatchObject({ backupArn: backupArn('4'), adopted: true });
  expect(dynamodb).toHaveReceivedCommandTimes(CreateBackupCommand, 0);
});

test('every page is read: the next page starts after LastEvaluatedBackupArn', async () => {
  dynamodb.on(ListBackupsCommand)
    .resolvesOnce({ BackupSummaries: [summary({ BackupArn: backupArn('7'), BackupName: 'nightly' })], LastEvaluatedBackupArn: backupArn('7') })
    .resolvesOnce({ BackupSummaries: [summary({ BackupArn: backupArn('8') })], LastEvaluatedBackupArn: backupArn('8') })
    .resolvesOnce({ BackupSummaries: [] });

  const result = await handler(input(), lambdaContext);

  const sent = dynamodb.commandCalls(ListBackupsCommand).map((c) => c.args[0].input.ExclusiveStartBackupArn);
  expect(sent).toEqual([undefined, backupArn('7'), backupArn('8')]);
  expect(result.after).toMatchObject({ backupArn: backupArn('8'), adopted: true });
  expect(dynamodb).toHaveReceivedCommandTimes(CreateBackupCommand, 0);
});

test('ListBackups throttled is AwsThrottled (retried by the state machine): nothing is created and the row is marked failed', async () => {
  dynamodb.on(ListBackupsCommand).rejects(new ThrottlingException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata: { httpStatusCode: 400 } }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled', message: expect.stringContaining(`dynamodb:ListBackups on ${TABLE}`) });
  expect(dynamodb).toHaveReceivedCommandTimes(CreateBackupCommand, 0);
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'failed', error: expect.stringContaining('AwsThrottled') });
});

test('ListBackups answering 500 is AwsUnavailable, and nothing is created', async () => {
  dynamodb.on(ListBackupsCommand).rejects(new InternalServerError({ message: 'Internal server error', $metadata: { httpStatusCode: 500 } }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
  expect(dynamodb).toHaveReceivedCommandTimes(CreateBackupCommand, 0);
});

test('a dry run plans the CreateBackup and neither lists nor creates', async () => {
  const result = await handler(input(true), lambdaContext);

  expect(dynamodb.calls()).toHaveLength(0);
  expect(result).toMatchObject({ planned: true, parameters: { TableName: TABLE, BackupName: backupName() }, after: { backupArn: '(planned)', adopted: false } });
});
