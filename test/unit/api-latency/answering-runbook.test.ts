import { contextOf, MODULES } from '../../../lib/catalog';
import { literalArns } from '../../../runbooks/kit';
import { loadConfig } from '../../../lib/config/load';
import type { EnvironmentConfig } from '../../../lib/config/schema';

const arns = literalArns('aws', 'sa-east-1', '111122223333');
const apiLatency = MODULES.find((m) => m.name === 'api-latency')!;
const startedBy = (config: EnvironmentConfig, namespace: string, metricName: string) => contextOf(apiLatency, config, arns).runbookStartedBy({ namespace, metricName });
const answersOf = (config: EnvironmentConfig) => JSON.parse(apiLatency.handlers(contextOf(apiLatency, config, arns))[0]!.environment.API_POLICIES!) as Record<string, { answers: Record<string, string> }>;

test('the runbook that answers a metric is the enabled one whose alarm route selects it; none for a metric nobody routes', () => {
  const config = loadConfig('drill');
  expect(startedBy(config, 'AWS/DynamoDB', 'WriteThrottleEvents')).toBe('dynamodb-throttling');
  expect(startedBy(config, 'AWS/Lambda', 'Duration')).toBe('lambda-timeouts');
  expect(startedBy(config, 'AWS/ECS', 'MemoryUtilization')).toBe('scale-out');
  expect(startedBy(config, 'AWS/RDS', 'ReadLatency')).toBeUndefined();
  // Never itself, though its own route selects the metric.
  expect(startedBy(config, 'AWS/ApplicationELB', 'TargetResponseTime')).toBeUndefined();
});

test('a runbook switched off in the environment answers nothing there, and the handler is told so', () => {
  const config = loadConfig('drill');
  const off = { ...config, runbooks: { ...config.runbooks, 'dynamodb-throttling': { ...config.runbooks['dynamodb-throttling'], enabled: false } } };
  expect(startedBy(off, 'AWS/DynamoDB', 'WriteThrottleEvents')).toBeUndefined();
  const [on, without] = [answersOf(config), answersOf(off)].map((policies) => Object.values(policies)[0]!.answers);
  expect(on).toMatchObject({ 'AWS/DynamoDB WriteThrottleEvents': 'dynamodb-throttling', 'AWS/DynamoDB ReadThrottleEvents': 'dynamodb-throttling', 'AWS/Lambda Duration': 'lambda-timeouts' });
  expect(without).not.toHaveProperty(['AWS/DynamoDB WriteThrottleEvents']);
  expect(without).toHaveProperty(['AWS/Lambda Duration'], 'lambda-timeouts');
});
