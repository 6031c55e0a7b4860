import { capacitySnapshot } from '../../../lambdas/aws/table-capacity';
import { onDemandProgress } from '../../../runbooks/dynamodb-throttling/on-demand';

const POLL = 10;
const TIMEOUT = 600;

test('done once the table is ACTIVE on-demand', () => {
  expect(onDemandProgress({ tableStatus: 'ACTIVE', billingMode: 'PAY_PER_REQUEST' }, 3, POLL, TIMEOUT))
    .toEqual({ attempt: 4, done: true, timedOut: false });
});

test('still UPDATING: not done, keep polling', () => {
  expect(onDemandProgress({ tableStatus: 'UPDATING', billingMode: 'PAY_PER_REQUEST' }, 0, POLL, TIMEOUT))
    .toEqual({ attempt: 1, done: false, timedOut: false });
});

test('ACTIVE but still provisioned is not done (the switch has not shown yet)', () => {
  expect(onDemandProgress({ tableStatus: 'ACTIVE', billingMode: 'PROVISIONED' }, 0, POLL, TIMEOUT))
    .toMatchObject({ done: false });
});

test('times out when the attempts made add up to the timeout', () => {
  expect(onDemandProgress({ tableStatus: 'UPDATING', billingMode: 'PAY_PER_REQUEST' }, 58, POLL, TIMEOUT)).toMatchObject({ attempt: 59, timedOut: false });
  expect(onDemandProgress({ tableStatus: 'UPDATING', billingMode: 'PAY_PER_REQUEST' }, 59, POLL, TIMEOUT)).toMatchObject({ attempt: 60, timedOut: true });
});

test('a table that finishes on the last attempt is done, not timed out', () => {
  expect(onDemandProgress({ tableStatus: 'ACTIVE', billingMode: 'PAY_PER_REQUEST' }, 59, POLL, TIMEOUT))
    .toEqual({ attempt: 60, done: true, timedOut: false });
});

test('the snapshot keeps what a restore needs and drops status', () => {
  expect(capacitySnapshot({
    tableName: 't', billingMode: 'PROVISIONED', tableStatus: 'ACTIVE', readCapacityUnits: 5, writeCapacityUnits: 5,
    globalSecondaryIndexes: [{ indexName: 'gsi', readCapacityUnits: 1, writeCapacityUnits: 2 }],
  })).toEqual({
    billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 5,
    globalSecondaryIndexes: [{ indexName: 'gsi', readCapacityUnits: 1, writeCapacityUnits: 2 }],
  });
});
