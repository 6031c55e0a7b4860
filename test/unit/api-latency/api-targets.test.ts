import * as fs from 'node:fs';
import * as path from 'node:path';
import { alarmRulePatterns } from '../../../lambdas/domain/routing';
import { matchesPattern } from '../../../lambdas/domain/event-pattern';
import { parseTrigger, UnroutableEvent } from '../../../lambdas/domain/trigger';
import { runbookConfig, runbookTriggers } from '../../../lib/catalog';
import { loadConfig } from '../../../lib/config/load';
import { literalArns } from '../../../runbooks/kit';
import apiLatency, { type ApiLatencyConfig } from '../../../runbooks/api-latency/runbook';

/** An API is its load balancer or its API Gateway REST API stage: each alarms on its own p99 metric and names its target by its own dimensions. */
const trigger = apiLatency.trigger;
if (trigger?.kind !== 'alarm') throw new Error('api-latency is started by alarms');
const arns = literalArns('aws', 'sa-east-1', '111122223333');
const config = loadConfig('drill');
const rb = runbookConfig(config, apiLatency) as ApiLatencyConfig;
const patternsOf = (c: ApiLatencyConfig) => alarmRulePatterns(trigger.route, trigger.dimensions(c, arns));
const recorded = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '../../../events', file), 'utf8')) as Record<string, unknown>;
const ALB = recorded('api-latency.alarm.json');
const REST_API = recorded('samples/api-latency-api-gateway.alarm.json');
const triggers = runbookTriggers()['api-latency'];

test('a REST API stage is a target named "<apiName>/<stage>", beside a load balancer named as its metrics name it', () => {
  expect(apiLatency.targets(rb)).toEqual(['app/cabruca-segmentation-prod-api/7c1d2e3f4a5b6c7d', 'cabruca-segmentation-prod-partner-api/prod']);
});

test('each alarm reads its own metric and dimensions: the ALB in seconds, API Gateway in milliseconds', () => {
  const alarms = apiLatency.alarms!(rb, arns);
  expect(alarms.map((a) => [a.id, 'metricName' in a.metric ? [a.metric.namespace, a.metric.metricName, a.metric.dimensions] : null, a.threshold])).toEqual([
    ['cabruca-segmentation-prod-api-p99-latency', ['AWS/ApplicationELB', 'TargetResponseTime', { LoadBalancer: 'app/cabruca-segmentation-prod-api/7c1d2e3f4a5b6c7d' }], 1],
    ['cabruca-segmentation-prod-partner-api-prod-p99-latency', ['AWS/ApiGateway', 'Latency', { ApiName: 'cabruca-segmentation-prod-partner-api', Stage: 'prod' }], 1000],
  ]);
});

test('the rules match each API\'s alarm by its own dimensions, and admit reads its target from them', () => {
  const patterns = patternsOf(rb);
  expect(patterns).toHaveLength(2);
  for (const [event, target] of [[ALB, 'app/cabruca-segmentation-prod-api/7c1d2e3f4a5b6c7d'], [REST_API, 'cabruca-segmentation-prod-partner-api/prod']] as const) {
    expect(patterns.filter((p) => matchesPattern(p, event))).toHaveLength(1);
    expect(parseTrigger('api-latency', event, triggers).target).toBe(target);
  }
  // Another stage of the same API is not configured: no rule matches it.
  const otherStage = structuredClone(REST_API) as { detail: { configuration: { metrics: { metricStat: { metric: { dimensions: Record<string, string> } } }[] } } };
  otherStage.detail.configuration.metrics[0]!.metricStat.metric.dimensions.Stage = 'beta';
  expect(patterns.filter((p) => matchesPattern(p, otherStage))).toEqual([]);
});

test('with load balancers only, no rule for API Gateway is made (a rule must name some value of each dimension)', () => {
  const albOnly = rb.targets.filter((t) => t.loadBalancer !== undefined);
  const patterns = patternsOf({ ...rb, targets: albOnly });
  expect(patterns.map((p) => (p.detail as { configuration: { metrics: { metricStat: { metric: { namespace: string[] } } } } }).configuration.metrics.metricStat.metric.namespace)).toEqual([['AWS/ApplicationELB']]);
});

test('an API Gateway alarm without its Stage dimension names no target, and says what it looked for', () => {
  const noStage = structuredClone(REST_API) as { detail: { configuration: { metrics: { metricStat: { metric: { dimensions: Record<string, string> } } }[] } } };
  delete noStage.detail.configuration.metrics[0]!.metricStat.metric.dimensions.Stage;
  expect(() => parseTrigger('api-latency', noStage, triggers)).toThrow(UnroutableEvent);
  expect(() => parseTrigger('api-latency', noStage, triggers)).toThrow(/names no LoadBalancer or ApiName\+Stage for api-latency/);
});

test('an API is named by a load balancer or by an API Gateway stage, one of the two', () => {
  const [first] = rb.targets;
  expect(apiLatency.config.safeParse({ ...rb, targets: [{ ...first!, apiGateway: { apiName: 'x', stage: 'prod' } }] }).success).toBe(false);
  expect(apiLatency.config.safeParse({ ...rb, targets: [{ ...first!, loadBalancer: undefined }] }).success).toBe(false);
  expect(apiLatency.config.safeParse(rb).success).toBe(true);
});
