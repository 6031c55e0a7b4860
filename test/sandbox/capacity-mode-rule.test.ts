import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoProxy, type DynamoProxy } from '../../drill/audit-proxy';
import { CapacityModeRule } from '../../drill/capacity-mode-rule';
import { createSeedTables, SANDBOX_CREDENTIALS, SANDBOX_REGION, startDynamo, type LocalDynamo } from '../../drill/sandbox';

const TABLE = 'cabruca-segmentation-prod-agent-memory';
const toOnDemand = new UpdateTableCommand({ TableName: TABLE, BillingMode: 'PAY_PER_REQUEST' });
const toProvisioned = new UpdateTableCommand({ TableName: TABLE, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } });

describe('through the drill proxy, on dynalite', () => {
  let dynamo: LocalDynamo;
  let proxy: DynamoProxy;
  let client: DynamoDBClient;
  let clock = Date.parse('2026-11-23T03:00:00Z');

  beforeAll(async () => {
    dynamo = await startDynamo();
    await createSeedTables(dynamo.endpoint);
    proxy = await startDynamoProxy(dynamo.endpoint, new Set(), async () => undefined, { rule: new CapacityModeRule(() => clock) });
    client = new DynamoDBClient({ endpoint: proxy.url, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await proxy.close();
    await dynamo.close();
  });

  const mode = async () => (await client.send(new DescribeTableCommand({ TableName: TABLE }))).Table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED';

  test('four switches to on-demand in 24 h pass, the fifth is LimitExceededException, and back to provisioned is always allowed', async () => {
    for (let i = 0; i < 4; i++) {
      await client.send(toOnDemand);
      clock += 60_000;
      await client.send(toProvisioned);
      clock += 60_000;
    }

    await expect(client.send(toOnDemand)).rejects.toMatchObject({
      name: 'LimitExceededException', message: 'Subscriber limit exceeded: Update to PayPerRequest mode are limited to 4 times in 1 day(s).',
      $metadata: { httpStatusCode: 400 },
    });
    expect(await mode()).toBe('PROVISIONED');

    // The window rolls: 24 h after the first switch, one more is allowed.
    clock += 24 * 60 * 60 * 1000 - 7 * 60_000;
    await client.send(toOnDemand);
    expect(await mode()).toBe('PAY_PER_REQUEST');
  });

  test('dynalite still checks the rest: back to provisioned without throughput is a ValidationException', async () => {
    await expect(client.send(new UpdateTableCommand({ TableName: TABLE, BillingMode: 'PROVISIONED' }))).rejects.toMatchObject({
      name: 'ValidationException', message: expect.stringContaining('ProvisionedThroughput must be specified when BillingMode is PROVISIONED'),
    });
  });
});

test('a request to on-demand for a table already on-demand is not counted', () => {
  const rule = new CapacityModeRule(() => 0);
  const input = { TableName: 'tasks', BillingMode: 'PAY_PER_REQUEST' };
  for (let i = 0; i < 10; i++) rule.accepted('UpdateTable', input, false);

  expect(rule.check('UpdateTable', input)).toBeUndefined();
  for (let i = 0; i < 4; i++) rule.accepted('UpdateTable', input, true);
  expect(rule.check('UpdateTable', input)).toMatchObject({ type: 'LimitExceededException' });
  expect(rule.check('UpdateTable', { TableName: 'tasks', BillingMode: 'PROVISIONED' })).toBeUndefined();
});
