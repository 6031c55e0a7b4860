import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';

import { assertEventPattern, InvalidEventPattern, matchesPattern, type EventPattern } from '../../../lambdas/domain/event-pattern';
import { alarmRulePatterns } from '../../../lambdas/domain/routing';
import { routeOf } from '../../support/runbooks';

const EVENTS = path.join(__dirname, '..', '..', '..', 'events');
const load = (rel: string): unknown => JSON.parse(fs.readFileSync(path.join(EVENTS, rel), 'utf8'));

/** The shape the app deploys: ALARM transitions of a metric, narrowed by namespace, name and dimensions. */
function metricAlarmPattern(namespace: string, names: string[], dimensions: Record<string, string[]>): EventPattern {
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: {
      state: { value: ['ALARM'] },
      configuration: { metrics: { metricStat: { metric: { namespace: [namespace], name: names, dimensions } } } },
    },
  };
}

const lambdaPattern = metricAlarmPattern('AWS/Lambda', ['ConcurrentExecutions', 'Invocations'], {
  FunctionName: [
    'cabruca-segmentation-prod-manager-agent',
    'cabruca-segmentation-prod-engineer-agent',
    'cabruca-segmentation-prod-qa-agent',
    'cabruca-segmentation-prod-researcher-agent',
    'cabruca-segmentation-prod-data_processor-agent',
  ],
});
const dynamoPattern = metricAlarmPattern('AWS/DynamoDB', ['ReadThrottleEvents', 'WriteThrottleEvents'], {
  TableName: ['cabruca-segmentation-prod-agent-state', 'cabruca-segmentation-prod-agent-memory', 'cabruca-segmentation-prod-agent-tasks'],
});
const ecsPattern = metricAlarmPattern('ECS/ContainerInsights', ['RunningTaskCount', 'DesiredTaskCount'], {
  ClusterName: ['alphaswarm-cluster-prod'],
  ServiceName: ['alphaswarm-admin-prod', 'alphaswarm-admin-frontend-prod', 'alphaswarm-agentcore-proxy-prod'],
});

describe('matchesPattern: recorded alarm events against the runbook patterns', () => {
  it.each([
    ['lambda-runaway.alarm.json', lambdaPattern, true],
    ['lambda-runaway.alarm.json', dynamoPattern, false],
    ['lambda-runaway.alarm.json', ecsPattern, false],
    ['dynamodb-throttling.alarm.json', dynamoPattern, true],
    ['dynamodb-throttling.alarm.json', lambdaPattern, false],
    ['ecs-service-recovery.alarm.json', ecsPattern, true],
    ['ecs-service-recovery.alarm.json', lambdaPattern, false],
    ['samples/anomaly-detection.alarm.json', lambdaPattern, true],
    ['samples/metric-math-lambda.alarm.json', lambdaPattern, true],
    ['samples/dynamodb-read-throttle.alarm.json', dynamoPattern, true],
    ['samples/duplicate-delivery/first.alarm.json', lambdaPattern, true],
    ['samples/duplicate-delivery/second.alarm.json', lambdaPattern, true],
    // Negative cases the deployed rules must drop.
    ['samples/ok-transition.alarm.json', lambdaPattern, false],
    ['samples/insufficient-data.alarm.json', lambdaPattern, false],
    ['samples/unconfigured-target.alarm.json', lambdaPattern, false],
    ['samples/composite.alarm.json', ecsPattern, false],
    ['samples/malformed-wrong-shape.json', lambdaPattern, false],
    ['llm-budget-guardrail.sns.json', lambdaPattern, false],
  ])('%s -> %#', (file, pattern, expected) => {
    expect(matchesPattern(pattern, load(file))).toBe(expected);
  });

  it('matches the patterns routing generates from config targets', () => {
    const agents = ['researcher', 'engineer', 'qa'].map((a) => ({ FunctionName: `cabruca-segmentation-prod-${a}-agent` }));
    const lambda = alarmRulePatterns(routeOf('lambda-runaway'), agents);
    const routed = (file: string) => lambda.some((p) => matchesPattern(p, load(file)));
    expect(routed('lambda-runaway.alarm.json')).toBe(true);
    expect(routed('samples/anomaly-detection.alarm.json')).toBe(true);
    // Concurrency as a percentage of the limit is still concurrency.
    expect(routed('samples/metric-math-lambda.alarm.json')).toBe(true);
    expect(routed('samples/unconfigured-target.alarm.json')).toBe(false);
    expect(routed('samples/ok-transition.alarm.json')).toBe(false);
    const ecs = alarmRulePatterns(routeOf('ecs-service-recovery'), [{ ClusterName: 'alphaswarm-cluster-prod', ServiceName: 'alphaswarm-admin-frontend-prod' }]);
    expect(ecs.some((p) => matchesPattern(p, load('ecs-service-recovery.alarm.json')))).toBe(true);
  });

  it('does not route an error-rate alarm (metric math over Invocations) to the emergency stop', () => {
    const errorRate = structuredClone(load('samples/metric-math-lambda.alarm.json')) as { detail: { configuration: { metrics: unknown[] } } };
    errorRate.detail.configuration.metrics = [
      { id: 'e1', expression: '100 * errors / invocations', returnData: true },
      { id: 'errors', metricStat: { metric: { namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'cabruca-segmentation-prod-qa-agent' } } }, returnData: false },
      { id: 'invocations', metricStat: { metric: { namespace: 'AWS/Lambda', name: 'Invocations', dimensions: { FunctionName: 'cabruca-segmentation-prod-qa-agent' } } }, returnData: false },
    ];
    const lambda = alarmRulePatterns(routeOf('lambda-runaway'), [{ FunctionName: 'cabruca-segmentation-prod-qa-agent' }]);
    expect(lambda.some((p) => matchesPattern(p, errorRate))).toBe(false);
  });

  it('matches fields of a metrics[] array only within one element (array consistency)', () => {
    const ecs = load('ecs-service-recovery.alarm.json');
    const metrics = (m: EventPattern): EventPattern => ({ detail: { configuration: { metrics: m } } });
    // m1 is DesiredTaskCount and m2 RunningTaskCount: no element is "m1 and RunningTaskCount".
    expect(matchesPattern(metrics({ id: ['m2'], metricStat: { metric: { name: ['RunningTaskCount'] } } }), ecs)).toBe(true);
    expect(matchesPattern(metrics({ id: ['m1'], metricStat: { metric: { name: ['RunningTaskCount'] } } }), ecs)).toBe(false);
    // Only the expression returns data; the metricStat entries have returnData false.
    expect(matchesPattern(metrics({ returnData: [true], metricStat: { metric: { namespace: ['ECS/ContainerInsights'] } } }), ecs)).toBe(false);
    expect(matchesPattern(metrics({ returnData: [false], metricStat: { metric: { namespace: ['ECS/ContainerInsights'] } } }), ecs)).toBe(true);
  });

  it('matches a composite alarm by its rule, which has no metrics', () => {
    const pattern: EventPattern = { detail: { configuration: { alarmRule: [{ prefix: 'ALARM("alphaswarm-admin-frontend-prod' }], metrics: [{ exists: false }] } } };
    expect(matchesPattern(pattern, load('samples/composite.alarm.json'))).toBe(true);
    expect(matchesPattern(pattern, load('ecs-service-recovery.alarm.json'))).toBe(false);
  });
});

const event = {
  source: 'aws.cloudwatch',
  resources: ['arn:aws:cloudwatch:sa-east-1:111122223333:alarm:a', 'arn:aws:cloudwatch:sa-east-1:111122223333:alarm:b'],
  detail: {
    state: { value: 'ALARM' },
    count: 5,
    ratio: 0.25,
    enabled: true,
    nothing: null,
    empty: '',
    tags: [],
    nested: { deeper: 1 },
    metrics: [
      { id: 'e1', expression: 'm1 - m2', returnData: true },
      { id: 'm1', metricStat: { metric: { namespace: 'AWS/Lambda', name: 'Invocations', dimensions: { FunctionName: 'f1' } } } },
      { id: 'm2', metricStat: { metric: { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: { InstanceId: 'i-1' } } } },
    ],
    matrix: [[{ v: 'x' }], [{ v: 'y' }]],
  },
};

describe('matchesPattern: EventBridge semantics', () => {
  it.each<[string, EventPattern, boolean]>([
    // Literals, AND across fields, OR within a field.
    ['string literal', { source: ['aws.cloudwatch'] }, true],
    ['any listed value', { source: ['aws.ec2', 'aws.cloudwatch'] }, true],
    ['strings are case-sensitive', { source: ['AWS.CloudWatch'] }, false],
    ['every field must match', { source: ['aws.cloudwatch'], detail: { state: { value: ['OK'] } } }, false],
    ['field missing from the event', { detail: { missing: ['x'] } }, false],
    ['number literal', { detail: { count: [5] } }, true],
    ['number does not match its string', { detail: { count: ['5'] } }, false],
    ['boolean literal', { detail: { enabled: [true] } }, true],
    ['null literal', { detail: { nothing: [null] } }, true],
    ['empty string literal', { detail: { empty: [''] } }, true],
    ['null and empty string differ', { detail: { nothing: [''] } }, false],
    ['leaf pattern on an object value', { detail: { nested: ['x'] } }, false],
    ['nested pattern on a scalar value', { detail: { count: { x: [1] } } }, false],
    // Arrays in the event.
    ['event array: any element matches', { resources: ['arn:aws:cloudwatch:sa-east-1:111122223333:alarm:b'] }, true],
    ['event array: no element matches', { resources: ['arn:aws:cloudwatch:sa-east-1:111122223333:alarm:c'] }, false],
    ['array of objects is flattened', { detail: { metrics: { metricStat: { metric: { namespace: ['AWS/Lambda'] } } } } }, true],
    ['flattened, same element', { detail: { metrics: { id: ['m1'], metricStat: { metric: { namespace: ['AWS/Lambda'] } } } } }, true],
    ['flattened, fields from different elements', { detail: { metrics: { id: ['m2'], metricStat: { metric: { namespace: ['AWS/Lambda'] } } } } }, false],
    ['nested arrays are flattened', { detail: { matrix: { v: ['y'] } } }, true],
    // exists
    ['exists true on a present leaf', { detail: { count: [{ exists: true }] } }, true],
    ['exists true on a null leaf', { detail: { nothing: [{ exists: true }] } }, true],
    ['exists true on a missing field', { detail: { missing: [{ exists: true }] } }, false],
    ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
    ['exists false under a missing parent', { nope: { missing: [{ exists: false }] } }, true],
    ['exists false on a present leaf', { detail: { count: [{ exists: false }] } }, false],
    ['exists true on an object (not a leaf)', { detail: { nested: [{ exists: true }] } }, false],
    ['exists false on an object (not a leaf)', { detail: { nested: [{ exists: false }] } }, true],
    ['exists false on an empty array', { detail: { tags: [{ exists: false }] } }, true],
    ['exists false when any array element has it', { detail: { metrics: { expression: [{ exists: false }] } } }, false],
    ['exists true inside an array of objects', { detail: { metrics: { expression: [{ exists: true }] } } }, true],
    ['exists false or a value', { detail: { count: [{ exists: false }, 5] } }, true],
    // prefix / suffix
    ['prefix', { resources: [{ prefix: 'arn:aws:cloudwatch:sa-east-1:' }] }, true],
    ['prefix is case-sensitive', { source: [{ prefix: 'AWS.' }] }, false],
    ['prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, true],
    ['prefix on a number never matches', { detail: { count: [{ prefix: '5' }] } }, false],
    ['suffix', { resources: [{ suffix: ':alarm:a' }] }, true],
    ['suffix ignoring case', { resources: [{ suffix: { 'equals-ignore-case': ':ALARM:B' } }] }, true],
    // equals-ignore-case
    ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.CloudWatch' }] }, true],
    ['equals-ignore-case is whole-value', { source: [{ 'equals-ignore-case': 'AWS' }] }, false],
    ['equals-ignore-case on a number', { detail: { count: [{ 'equals-ignore-case': '5' }] } }, false],
    // anything-but
    ['anything-but string', { detail: { state: { value: [{ 'anything-but': 'OK' }] } } }, true],
    ['anything-but the value itself', { detail: { state: { value: [{ 'anything-but': 'ALARM' }] } } }, false],
    ['anything-but list', { detail: { state: { value: [{ 'anything-but': ['OK', 'INSUFFICIENT_DATA'] }] } } }, true],
    ['anything-but list containing the value', { detail: { state: { value: [{ 'anything-but': ['OK', 'ALARM'] }] } } }, false],
    ['anything-but number', { detail: { count: [{ 'anything-but': 5 }] } }, false],
    ['anything-but number list', { detail: { count: [{ 'anything-but': [1, 2] }] } }, true],
    ['anything-but on a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['anything-but with an array: another element passes', { resources: [{ 'anything-but': 'arn:aws:cloudwatch:sa-east-1:111122223333:alarm:a' }] }, true],
    ['anything-but prefix', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, false],
    ['anything-but prefix, other prefix', { source: [{ 'anything-but': { prefix: 'custom.' } }] }, true],
    ['anything-but suffix', { source: [{ 'anything-but': { suffix: 'watch' } }] }, false],
    ['anything-but ignoring case', { source: [{ 'anything-but': { 'equals-ignore-case': 'AWS.CLOUDWATCH' } }] }, false],
    ['anything-but ignoring case, list', { source: [{ 'anything-but': { 'equals-ignore-case': ['aws.ec2', 'aws.ecs'] } }] }, true],
    // numeric
    ['numeric range', { detail: { count: [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    ['numeric out of range', { detail: { count: [{ numeric: ['<', 5] }] } }, false],
    ['numeric equality', { detail: { ratio: [{ numeric: ['=', 0.25] }] } }, true],
    ['numeric on a string', { source: [{ numeric: ['>', 0] }] }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['a string', 'aws.cloudwatch'],
    ['null', null],
    ['an array', [event]],
    ['undefined', undefined],
  ])('never matches an event that is %s', (_name, input) => {
    expect(matchesPattern({ source: ['aws.cloudwatch'] }, input)).toBe(false);
    expect(matchesPattern({ missing: [{ exists: false }] }, input)).toBe(false);
  });
});

describe('matchesPattern: invalid patterns throw one clear line', () => {
  it.each<[string, unknown, RegExp]>([
    ['unsupported filter', { source: [{ wildcard: 'aws.*' }] }, /"source": unsupported content filter "wildcard" \(supported: exists, prefix/],
    ['cidr', { detail: { ip: [{ cidr: '10.0.0.0/24' }] } }, /"detail\.ip": unsupported content filter "cidr"/],
    ['$or', { $or: [{ source: ['a'] }, { source: ['b'] }] }, /"\$or" is not supported/],
    ['bare value', { source: 'aws.cloudwatch' }, /"source" must be an array of values or a nested object/],
    ['empty value list', { source: [] }, /"source" must list at least one value/],
    ['empty pattern', {}, /event pattern must name at least one field/],
    ['empty nested object', { detail: {} }, /"detail" must name at least one field/],
    ['not an object', ['aws.cloudwatch'], /event pattern must be a JSON object/],
    ['two keys in one filter', { source: [{ prefix: 'a', suffix: 'b' }] }, /exactly one key/],
    ['exists not boolean', { source: [{ exists: 'yes' }] }, /"exists" takes true or false/],
    ['prefix not string', { source: [{ prefix: 1 }] }, /"prefix" takes a string/],
    ['mixed anything-but list', { source: [{ 'anything-but': ['a', 1] }] }, /"anything-but" takes/],
    ['anything-but unknown inner', { source: [{ 'anything-but': { wildcard: 'a*' } }] }, /"anything-but" takes/],
    ['numeric bad operator', { n: [{ numeric: ['>>', 1] }] }, /"numeric" takes a list of operator\/number pairs/],
    ['nested array value', { source: [['aws.cloudwatch']] }, /is neither a value nor a content filter/],
  ])('%s', (_name, pattern, message) => {
    const run = (): boolean => matchesPattern(pattern as EventPattern, event);
    expect(run).toThrow(InvalidEventPattern);
    expect(run).toThrow(message);
    expect(() => assertEventPattern(pattern)).toThrow(InvalidEventPattern);
  });

  it('accepts every pattern the app generates', () => {
    for (const pattern of [lambdaPattern, dynamoPattern, ecsPattern]) expect(() => assertEventPattern(pattern)).not.toThrow();
  });
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Builds a pattern from the event's own leaf values. At each array it keeps one element, so the
 * picked leaves respect array consistency the way a hand-written pattern would.
 */
function patternFromEvent(value: Json, pickIndex: (length: number) => number, keep: () => boolean): EventPattern | undefined {
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return patternFromEvent(value[pickIndex(value.length)] as Json, pickIndex, keep);
  }
  if (value === null || typeof value !== 'object') return undefined;
  const entries: [string, EventPattern | Json[]][] = [];
  for (const [key, child] of Object.entries(value)) {
    const leaf = leafOf(child, pickIndex);
    if (leaf !== undefined) {
      if (keep()) entries.push([key, [leaf.value]]);
      continue;
    }
    const sub = patternFromEvent(child, pickIndex, keep);
    if (sub) entries.push([key, sub]);
  }
  return entries.length > 0 ? (Object.fromEntries(entries) as EventPattern) : undefined;
}

/** The scalar reached from this value through arrays alone, if any. */
function leafOf(value: Json, pickIndex: (length: number) => number): { value: Json } | undefined {
  let v = value;
  while (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    v = v[pickIndex(v.length)] as Json;
  }
  return v === null || typeof v !== 'object' ? { value: v } : undefined;
}

function replaceFirstLeaf(pattern: EventPattern, replacement: string): EventPattern {
  const [key, value] = Object.entries(pattern)[0] as [string, EventPattern[string]];
  const replaced = Array.isArray(value) ? [replacement] : replaceFirstLeaf(value as EventPattern, replacement);
  return { ...pattern, [key]: replaced };
}

describe('matchesPattern: properties', () => {
  const events = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 4 }), { minKeys: 1 }) as fc.Arbitrary<{ [key: string]: Json }>;

  it('a pattern built from an event own values always matches it', () => {
    fc.assert(
      fc.property(events, fc.infiniteStream(fc.nat()), fc.infiniteStream(fc.boolean()), (ev, indexes, keeps) => {
        const idx = indexes[Symbol.iterator]();
        const kp = keeps[Symbol.iterator]();
        const pattern = patternFromEvent(ev, (n) => (idx.next().value as number) % n, () => kp.next().value as boolean);
        fc.pre(pattern !== undefined);
        expect(matchesPattern(pattern as EventPattern, ev)).toBe(true);
      }),
    );
  });

  it('replacing one picked value by one the event lacks never matches', () => {
    fc.assert(
      fc.property(events, fc.infiniteStream(fc.nat()), (ev, indexes) => {
        const idx = indexes[Symbol.iterator]();
        const pattern = patternFromEvent(ev, (n) => (idx.next().value as number) % n, () => true);
        fc.pre(pattern !== undefined);
        const foreign = '\u0000absent-from-every-generated-event';
        expect(matchesPattern(replaceFirstLeaf(pattern as EventPattern, foreign), ev)).toBe(false);
      }),
    );
  });
});
