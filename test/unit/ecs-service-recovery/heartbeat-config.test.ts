import { contextOf, runbookConfig } from '../../../lib/catalog';
import { loadConfig } from '../../../lib/config/load';
import { literalArns } from '../../../runbooks/kit';
import ecsServiceRecovery, { type EcsServiceRecoveryConfig } from '../../../runbooks/ecs-service-recovery/runbook';

/** Seed 004 "Stale Heartbeat": a target may name the team's alarm on its application's heartbeat. */
const config = loadConfig('drill');
const rb = runbookConfig(config, ecsServiceRecovery) as EcsServiceRecoveryConfig;
const arns = literalArns('aws', 'sa-east-1', '111122223333');
const STRATEGY = { clusterName: 'tradai-cluster-prod', serviceName: 'tradai-prod-strategy-service' };
const issues = (c: unknown) => {
  const parsed = ecsServiceRecovery.config.safeParse(c);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('inspect is told which alarm watches which service\'s heartbeat, and no other function is', () => {
  const handlers = ecsServiceRecovery.handlers(contextOf(ecsServiceRecovery, config, arns) as Parameters<typeof ecsServiceRecovery.handlers>[0]);
  const inspect = handlers.find((h) => h.id === 'EcsServiceRecoveryInspect')!;
  expect(JSON.parse(inspect.environment.HEARTBEAT_ALARMS!)).toEqual({ 'tradai-cluster-prod/tradai-prod-strategy-service': 'tradai-prod-strategy-heartbeat-stale' });
  expect(handlers.filter((h) => 'HEARTBEAT_ALARMS' in h.environment).map((h) => h.id)).toEqual(['EcsServiceRecoveryInspect']);
});

test('a target without a heartbeat alarm is as before; the stack creates no alarm for a heartbeat (it is the team\'s own)', () => {
  const without = { ...rb, targets: rb.targets.map(({ heartbeatAlarm: _, ...t }) => t) };
  expect(issues(without)).toEqual([]);
  expect(ecsServiceRecovery.alarms!(without, arns)).toHaveLength(ecsServiceRecovery.alarms!(rb, arns).length);
});

test('one heartbeat alarm watches one service; a name with a control character is no alarm name', () => {
  const twice = { ...rb, targets: [...rb.targets, { ...STRATEGY, serviceName: 'tradai-prod-data-collection-service', heartbeatAlarm: 'tradai-prod-strategy-heartbeat-stale' }] };
  expect(issues(twice)).toEqual(['targets: each heartbeatAlarm watches one service: name it on one target']);
  expect(issues({ ...rb, targets: [{ ...STRATEGY, heartbeatAlarm: 'stale\nheartbeat' }] })).toEqual(['targets.0.heartbeatAlarm: an alarm name: 1-255 characters, no control characters']);
});
