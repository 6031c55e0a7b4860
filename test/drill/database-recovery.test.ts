import { ownRecord, type AwsCallReceived } from '../../drill/drill';
import type { DrillResult } from '../../drill/result';
import { duplicateOf } from './events';
import { recordedEvent, runDrill, scenario, scenarioDrill } from './run-drill';

const EVENT = 'events/database-recovery.alarm.json';
const INSTANCE_FAILOVER = 'events/samples/database-recovery-instance-failover.event.json';
const CLUSTER_FAILOVER = 'events/samples/database-recovery-cluster-failover.event.json';
const STRATEGY = 'tradai-cluster-prod/tradai-prod-strategy-service';
const DATA_COLLECTION = 'tradai-cluster-prod/tradai-prod-data-collection-service';
const callsOf = (r: DrillResult | undefined): AwsCallReceived[] => (r as unknown as { calls: AwsCallReceived[] }).calls;
const named = (r: DrillResult | undefined, service: string, operation: string) => callsOf(r).filter((c) => c.service === service && c.operation === operation);
const serviceOf = (c: AwsCallReceived) => `${String(c.input.cluster)}/${String(c.input.service ?? (c.input.services as string[] | undefined)?.[0])}`;
/** Every call that changes the account; RDS's reboot and failover calls are among what none of these may be. The stack's own records (ledger, notifications, the incident report) are not changes of it. */
const stackRecord = (c: AwsCallReceived) => c.service === 'dynamodb' || (c.service === 'sns' && c.operation === 'Publish') || ownRecord(c);
const mutating = (r: DrillResult | undefined) => callsOf(r).filter((c) => !/^(Describe|List|Get)/.test(c.operation) && !stackRecord(c));

test('connections near max_connections: max_connections read, both services restarted one at a time, the second only once the first rolled out; ledger rows first; the alarm clears', async () => {
  const { code, results: [r] } = await runDrill(['database-recovery', '--json', '--calls']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'database-recovery', outcome: 'remediated', reason: expect.stringContaining('max_connections is 400 in tradai-prod-postgres16 (user)') });
  expect(r!.actions.map((a) => [a.target, a.operation, a.status, a.auditedBeforeCall])).toEqual([
    [STRATEGY, 'ecs:UpdateService', 'succeeded', true],
    [DATA_COLLECTION, 'ecs:UpdateService', 'succeeded', true],
  ]);
  // As AWS Query sends it: Filters.Filter.1.Name=parameter-name&Filters.Filter.1.Values.Value.1=max_connections.
  expect(named(r, 'rds', 'DescribeDBParameters').map((c) => c.input)).toEqual([
    { DBParameterGroupName: 'tradai-prod-postgres16', Filters: { Filter: { 1: { Name: 'parameter-name', Values: { Value: { 1: 'max_connections' } } } } } },
  ]);
  // In order: the strategy service's UpdateService, its rollout polled until COMPLETED, then the data collection service's.
  const ecs = callsOf(r).filter((c) => c.service === 'ecs');
  const updates = ecs.flatMap((c, i) => (c.operation === 'UpdateService' ? [i] : []));
  expect(updates.map((i) => serviceOf(ecs[i]!))).toEqual([STRATEGY, DATA_COLLECTION]);
  const polls = ecs.slice(updates[0]! + 1, updates[1]).filter((c) => c.operation === 'DescribeServices' && /DatabaseRecoveryWatch$/.test(c.caller ?? ''));
  expect(polls.length).toBeGreaterThan(0);
  expect(polls.every((c) => serviceOf(c) === STRATEGY)).toBe(true);
  const checks = r!.timeline.filter((t) => t.state === 'Check the rollout' || t.state === 'Force new deployment').map((t) => `${t.state}: ${/key=\S+-(strategy|data-collection)-service/.exec(t.detail)?.[1] ?? /(strategy|data-collection)-service/.exec(t.detail)?.[1] ?? ''} ${/done=(\w+)/.exec(t.detail)?.[1] ?? ''}`.trim());
  expect(checks).toEqual([
    'Force new deployment: strategy', 'Check the rollout: strategy false', 'Check the rollout: strategy true',
    'Force new deployment: data-collection', 'Check the rollout: data-collection false', 'Check the rollout: data-collection true',
  ]);
  expect(r!.resources.after['tradai-prod-db']).toEqual({ status: 'available', multiAZ: true, availabilityZone: 'sa-east-1b' });
});

test('the same alarm transition delivered twice: each service restarted once', async () => {
  const { results } = await runDrill(['--event', EVENT, '--event', duplicateOf(EVENT), '--json', '--calls']);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'skipped']);
  expect(results.flatMap((r) => named(r, 'ecs', 'UpdateService')).map(serviceOf)).toEqual([STRATEGY, DATA_COLLECTION]);
});

test('a dry run plans both restarts in the ledger and restarts nothing', async () => {
  const { results: [r] } = await runDrill(['--event', recordedEvent('database-recovery'), '--dry-run', '--json', '--calls']);
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/^dry run/) });
  expect(r!.ledger.map((row) => [row.target, row.status])).toEqual([[STRATEGY, 'planned'], [DATA_COLLECTION, 'planned']]);
  expect(named(r, 'ecs', 'UpdateService')).toEqual([]);
});

test('a failover RDS made by itself (RDS-EVENT-0049): verified available with its services healthy, told, and nothing called that changes anything', async () => {
  const { results: [r] } = await runDrill(['--event', INSTANCE_FAILOVER, '--json', '--calls']);
  expect(r).toMatchObject({
    runbook: 'database-recovery', outcome: 'skipped',
    reason: expect.stringMatching(/^RDS: Multi-AZ instance failover completed\. RDS failed over by itself: DB instance tradai-prod-db is available \(primary in sa-east-1b, standby in sa-east-1a\) and its services are healthy .*nothing was changed$/),
  });
  expect(r!.actions).toEqual([]);
  expect(mutating(r)).toEqual([]);
  expect(named(r, 'rds', 'DescribeDBInstances').length).toBeGreaterThan(1);
});

test('a failover still under way: the instance watched while it reboots, until it serves again; nothing changed', async () => {
  const { results: [r] } = await runDrill(['--scenario', scenario('tradai-db-failing-over'), '--event', INSTANCE_FAILOVER, '--json', '--calls']);
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('tradai-prod-db is available') });
  const watched = r!.timeline.filter((t) => t.state === 'Check the database and its services').map((t) => /done=(\w+)/.exec(t.detail)?.[1]);
  expect(watched).toEqual(['false', 'true']);
  expect(r!.resources.before['tradai-prod-db']).toMatchObject({ status: 'rebooting' });
  expect(r!.resources.after['tradai-prod-db']).toMatchObject({ status: 'available' });
  expect(mutating(r)).toEqual([]);
});

test('an Aurora cluster failover (RDS-EVENT-0071, SourceIdentifier as AWS documents it): the cluster and its writer read, its service healthy, told', async () => {
  const { results: [r] } = await runDrill(['--event', CLUSTER_FAILOVER, '--json', '--calls']);
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('DB cluster tradai-prod-marketdata is available (writer tradai-prod-marketdata-1)') });
  expect(named(r, 'rds', 'DescribeDBClusters').map((c) => c.input)).toContainEqual({ DBClusterIdentifier: 'tradai-prod-marketdata' });
  expect(mutating(r)).toEqual([]);
});

test('the first service fails to roll out: escalated, and the next service is not restarted', async () => {
  const { results: [r] } = await scenarioDrill('database-recovery', 'tradai-strategy-rollout-fails');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining(`the forced deployment of ${STRATEGY} failed or did not complete in time (rollout FAILED); the services after it were not restarted`) });
  expect(named(r, 'ecs', 'UpdateService').map(serviceOf)).toEqual([STRATEGY]);
  expect(r!.actions.map((a) => a.target)).toEqual([STRATEGY]);
});

test('connections alarm while the database itself is not available: escalated, nothing restarted', async () => {
  const { results: [r] } = await scenarioDrill('database-recovery', 'tradai-db-failing-over');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('not restarted (database-unavailable): DB instance tradai-prod-db is rebooting') });
  expect(named(r, 'ecs', 'UpdateService')).toEqual([]);
});

test('prod: two distinct approvers approve the plan and both services restart; one alone is not enough and nothing restarts', async () => {
  const [two, one] = await Promise.all([
    runDrill(['database-recovery', '--env', 'prod', '--approve', 'alice,bob', '--json']),
    runDrill(['database-recovery', '--env', 'prod', '--approve', 'alice', '--json']),
  ]);
  expect(two.results[0]).toMatchObject({ outcome: 'remediated' });
  expect(two.results[0]!.approvalRequests.map((q) => q.step)).toEqual(['restart']);
  expect(two.results[0]!.approvals.filter((a) => a.decision === 'approved').map((a) => a.approver).sort()).toEqual(['alice', 'bob']);
  expect(two.results[0]!.actions).toHaveLength(2);
  expect(one.results[0]).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('the services were not restarted') });
  expect(one.results[0]!.actions).toEqual([]);
});
