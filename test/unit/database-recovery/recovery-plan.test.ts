import {
  failoverProgress, maxConnectionsFinding, planRecovery, triggerOf, type DatabaseState, type ServiceHealth,
} from '../../../runbooks/database-recovery/recovery-plan';
import { incident } from '../../support/fixtures';

const DB: DatabaseState = { kind: 'instance', identifier: 'tradai-prod-db', status: 'available', multiAZ: true, where: 'primary in sa-east-1b', parameterGroup: 'pg' };
const healthy = (key: string): ServiceHealth => ({ key, desiredCount: 2, runningCount: 2, rolloutState: 'COMPLETED', healthy: true });
const STRATEGY = healthy('tradai-cluster-prod/tradai-prod-strategy-service');
const COLLECTION = healthy('tradai-cluster-prod/tradai-prod-data-collection-service');

test('an RDS instance or cluster event is a failover; anything else (the connections alarm, a tagged alarm) is about connections', () => {
  expect(triggerOf(incident({ source: { name: 'RDS DB Instance Event' } }))).toBe('failover');
  expect(triggerOf(incident({ source: { name: 'RDS DB Cluster Event' } }))).toBe('failover');
  expect(triggerOf(incident({ source: { name: 'tradai-prod-db-connections-near-max' } }))).toBe('connections');
});

test('a failover is verified, never answered: no redeploy is planned, whatever the services look like', () => {
  const plan = planRecovery('failover', { ...DB, status: 'rebooting' }, [{ ...STRATEGY, rolloutState: 'FAILED', healthy: false }]);
  expect(plan).toMatchObject({ decision: 'verify-failover', redeploys: [], order: [] });
  expect(plan.reason).toContain('never answered with another');
});

test('connections: every service that uses the database, in config\'s order, each a forced deployment of exactly that service', () => {
  expect(planRecovery('connections', DB, [STRATEGY, COLLECTION])).toMatchObject({
    decision: 'restart',
    order: [STRATEGY.key, COLLECTION.key],
    redeploys: [
      { cluster: 'tradai-cluster-prod', service: 'tradai-prod-strategy-service', forceNewDeployment: true },
      { cluster: 'tradai-cluster-prod', service: 'tradai-prod-data-collection-service', forceNewDeployment: true },
    ],
  });
});

test('connections while the database is not available: nothing restarted', () => {
  expect(planRecovery('connections', { ...DB, status: 'modifying' }, [STRATEGY])).toMatchObject({
    decision: 'database-unavailable', redeploys: [], reason: expect.stringContaining('tradai-prod-db is modifying'),
  });
});

test.each(['IN_PROGRESS', 'FAILED'])('connections while a service\'s rollout is %s: nothing restarted, the service named', (rolloutState) => {
  const plan = planRecovery('connections', DB, [STRATEGY, { ...COLLECTION, rolloutState, healthy: false }]);
  expect(plan).toMatchObject({ decision: 'service-unsettled', redeploys: [] });
  expect(plan.reason).toContain(`tradai-prod-data-collection-service 2/2 tasks rollout ${rolloutState}`);
  expect(plan.reason).not.toContain('strategy');
});

test('after a failover: done only with the database available and every service healthy; given up when the polls add up to the watch', () => {
  expect(failoverProgress(DB, [STRATEGY, COLLECTION], 0, 30, 600)).toMatchObject({ attempt: 1, done: true, timedOut: false, summary: expect.stringContaining('nothing was changed') });
  expect(failoverProgress({ ...DB, status: 'rebooting' }, [STRATEGY], 0, 30, 600)).toMatchObject({ done: false, timedOut: false });
  const short = { ...COLLECTION, runningCount: 1, healthy: false };
  expect(failoverProgress(DB, [STRATEGY, short], 19, 30, 600)).toMatchObject({ attempt: 20, done: false, timedOut: true, summary: expect.stringContaining('not healthy: tradai-cluster-prod/tradai-prod-data-collection-service 1/2 tasks') });
});

test('max_connections: the number and who set it; a number other than config\'s says the alarm\'s threshold is off; a formula; unset', () => {
  expect(maxConnectionsFinding('pg', { value: '400', source: 'user' }, 400).summary).toBe('max_connections is 400 in pg (user); config says 400');
  expect(maxConnectionsFinding('pg', { value: '500', source: 'user' }, 400).summary).toContain('not 400 as config says: the connections alarm\'s threshold is a share of the wrong number');
  expect(maxConnectionsFinding('pg', { value: 'LEAST({DBInstanceClassMemory/9531392},5000)', source: 'system' }, 400).summary).toContain("RDS computes it from the instance's memory");
  expect(maxConnectionsFinding('pg', null, null).summary).toBe("max_connections is not set in pg: the engine's default applies");
});
