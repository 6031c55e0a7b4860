import { BatchGetItemCommand, CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { liveTasks } from '../../../runbooks/dynamodb-throttling/live-tasks';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';

const TASKS = 'live-tasks-test';
const spec = { statusAttribute: 'status', pendingStatus: 'pending' };
let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.client.send(new CreateTableCommand({
    TableName: TASKS, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'task_id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'task_id', KeyType: 'HASH' }],
  }));
  for (const [id, status] of [['t-1', 'pending'], ['t-2', 'running'], ['t-3', 'pending']] as const) {
    await dynamo.client.send(new PutItemCommand({ TableName: TASKS, Item: marshall({ task_id: id, status, timestamp: 1, payload: 'x'.repeat(100) }) }));
  }
});
afterAll(() => dynamo.close());

test('the approved keys as they are now: still pending, picked up since (with the status it has), or gone', async () => {
  const live = await liveTasks(dynamo.client, TASKS, [{ task_id: 't-1' }, { task_id: 't-2' }, { task_id: 't-3' }, { task_id: 't-9' }], spec);
  expect(live).toEqual({
    approvedKeys: 4, stillPending: 2, changed: [{ key: { task_id: 't-2' }, status: 'running' }], gone: [{ task_id: 't-9' }], unread: [],
  });
});

test('reads in batches of 100, key and status only, consistently; keys left unprocessed twice are reported unread, not guessed', async () => {
  const client = new DynamoDBClient({ region: 'sa-east-1' });
  const mock = mockClient(client);
  const keys = Array.from({ length: 150 }, (_, i) => ({ task_id: `t-${i}` }));
  const unprocessed = { [TASKS]: { Keys: [marshall({ task_id: 't-7' })] } };
  mock.on(BatchGetItemCommand).callsFake((input: { RequestItems: Record<string, { Keys: unknown[] }> }) => {
    const asked = input.RequestItems[TASKS]!.Keys.length;
    return asked === 100 ? { Responses: { [TASKS]: [] }, UnprocessedKeys: unprocessed } : { Responses: { [TASKS]: [] }, UnprocessedKeys: asked === 1 ? unprocessed : {} };
  });
  const live = await liveTasks(client, TASKS, keys, spec);
  const calls = mock.commandCalls(BatchGetItemCommand).map((c) => c.args[0].input.RequestItems![TASKS]!);
  expect(calls.map((c) => c.Keys!.length)).toEqual([100, 1, 50]);
  expect(calls[0]).toMatchObject({ ConsistentRead: true, ProjectionExpression: '#a0, #a1', ExpressionAttributeNames: { '#a0': 'task_id', '#a1': 'status' } });
  expect(live.unread).toEqual([{ task_id: 't-7' }]);
  expect(live.gone).toHaveLength(149);
  expect(live.stillPending).toBe(0);
});
