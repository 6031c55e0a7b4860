import { DBParameterGroupNotFoundFault, DescribeDBParametersCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const rds = mockClient(RDSClient);
const DATABASES = {
  'tradai-prod-db': { kind: 'instance', services: ['c/s'], maxConnections: 400, parameterGroup: 'tradai-prod-postgres16' },
  'tradai-prod-marketdata': { kind: 'cluster', services: ['c/s'] },
};
type Handler = (event: unknown, context: typeof lambdaContext) => Promise<{ summary: string; value: string | null }>;
let handler: Handler;

beforeAll(async () => {
  Object.assign(process.env, { AWS_REGION: 'sa-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT', DATABASES: JSON.stringify(DATABASES) });
  handler = (await import('../../../runbooks/database-recovery/handlers/max-connections')).handler as Handler;
});
beforeEach(() => rds.reset());

const input = (target: string, inUse: string | null) => ({ incident: incident({ runbook: 'database-recovery', target }), execution: { id: EXECUTION_ARN }, inUse });

test('reads max_connections of the configured parameter group, filtered to it, and compares it with config', async () => {
  rds.on(DescribeDBParametersCommand).resolves({ Parameters: [{ ParameterName: 'max_connections', ParameterValue: '500', Source: 'user' }] });
  const read = await handler(input('tradai-prod-db', 'tradai-prod-postgres16'), lambdaContext);
  expect(read).toMatchObject({ value: '500', summary: expect.stringContaining('max_connections is 500 in tradai-prod-postgres16 (user), not 400 as config says') });
  expect(rds.commandCalls(DescribeDBParametersCommand).map((c) => c.args[0].input)).toEqual([
    { DBParameterGroupName: 'tradai-prod-postgres16', Filters: [{ Name: 'parameter-name', Values: ['max_connections'] }] },
  ]);
});

test('an instance on another parameter group than config names, or a cluster: not read, and nothing called', async () => {
  expect((await handler(input('tradai-prod-db', 'default.postgres16'), lambdaContext)).summary).toBe('max_connections not read: tradai-prod-db uses parameter group default.postgres16, not tradai-prod-postgres16 as config says');
  expect((await handler(input('tradai-prod-marketdata', null), lambdaContext)).summary).toContain('is a DB cluster');
  expect(rds.calls()).toHaveLength(0);
});

test('a group that is gone: evidence unavailable, the run goes on; throttling is thrown for the state machine to retry', async () => {
  rds.on(DescribeDBParametersCommand).rejectsOnce(new DBParameterGroupNotFoundFault({ message: 'DBParameterGroup not found: tradai-prod-postgres16', $metadata: {} }));
  expect((await handler(input('tradai-prod-db', 'tradai-prod-postgres16'), lambdaContext)).summary).toMatch(/^max_connections: evidence unavailable: TargetNotFound: /);
  rds.on(DescribeDBParametersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
  await expect(handler(input('tradai-prod-db', 'tradai-prod-postgres16'), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
});

test('a database config does not name: TargetNotAllowed', async () => {
  await expect(handler(input('someone-elses-db', 'pg'), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotAllowed' });
});
