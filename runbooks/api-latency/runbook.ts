/**
 * api-latency (seed 004 "High API Latency: check metrics, identify bottleneck"): the stack alarms on
 * the p99 of each configured API (its ALB's TargetResponseTime, or its API Gateway REST API stage's
 * Latency); when it fires, the
 * runbook reads the metrics of the API's configured dependencies over the alarm's window and the
 * hour before, in one GetMetricData call, ranks them by how much each moved, and pages with the
 * ranked list and the runbook of the catalog that answers the top one. Read-only: it changes nothing.
 */
import { z } from 'zod';
import { resourceName, runbookBase } from '../config';
import { json, type AlarmSpec, type HandlerDef } from '../kit';
import definition from './statemachine';
import { defineRunbook, type RunbookContext } from '../module';
import { MAX_SIGNALS, metricKey, signalsOf, type ApiPolicy } from './dependencies';

/** An Application Load Balancer as its CloudWatch metrics name it (the LoadBalancer dimension). */
const loadBalancer = z.string().regex(/^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/, 'an ALB as its metrics name it: app/<name>/<16 hex id>');
/** An API Gateway REST API stage, as its metrics name it (ApiName, Stage). */
const apiGateway = z.strictObject({
  apiName: z.string().regex(/^[^/]{1,128}$/, 'the REST API\'s name, as its metrics name it (no "/")'),
  stage: z.string().regex(/^[A-Za-z0-9_]{1,128}$/, 'a stage name: letters, digits, underscores'),
});
const names = z.array(resourceName).default([]);

const dependencies = z.strictObject({
  /** Lambda functions the API calls (agents): Duration p99 each. */
  functions: names,
  /** DynamoDB tables: SuccessfulRequestLatency of each operation below, and read and write throttle events. */
  tables: names,
  tableOperations: z.array(z.enum(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem'])).min(1).default(['GetItem', 'PutItem', 'UpdateItem', 'Query']),
  /** RDS DB instances: read and write latency. */
  databases: names,
  /** ECS services: CPU and memory utilization. */
  services: z.array(z.strictObject({ clusterName: resourceName, serviceName: resourceName })).default([]),
}).refine((d) => signalsOf(d).length <= MAX_SIGNALS, `at most ${MAX_SIGNALS} dependency metrics: GetMetricData reads that many in one call`);

const config = z.strictObject({
  ...runbookBase,
  /** The APIs, each with its p99 alarm and what it depends on. */
  targets: z.array(z.strictObject({
    /** The API's load balancer, or its API Gateway stage: one of the two. */
    loadBalancer: loadBalancer.optional(),
    apiGateway: apiGateway.optional(),
    /** The p99 of TargetResponseTime (or Latency) above this, for `evaluationPeriods` periods of `periodMinutes`, fires the alarm (seed 004 "High API Latency"). */
    p99ThresholdMs: z.number().int().min(1).max(120_000).default(1000),
    periodMinutes: z.number().int().min(1).max(60).default(1),
    evaluationPeriods: z.number().int().min(1).max(60).default(5),
    dependencies,
  }).refine((t) => (t.loadBalancer === undefined) !== (t.apiGateway === undefined), 'an API is named by loadBalancer or by apiGateway, one of the two')).min(1),
  /** A dependency moved when its mean over the window is at least this many times its mean over the hour before. */
  movedRatio: z.number().gt(1).max(100).default(2),
});
export type ApiLatencyConfig = z.infer<typeof config>;
type Target = ApiLatencyConfig['targets'][number];

const windowMinutes = (t: Target) => t.periodMinutes * t.evaluationPeriods;
/** The API's target key: the load balancer as its metrics name it, or "<apiName>/<stage>" (ApiName and Stage joined, as routing joins them). */
const apiKey = (t: Target): string => t.loadBalancer ?? `${t.apiGateway!.apiName}/${t.apiGateway!.stage}`;
/** Its p99 metric: ALB TargetResponseTime is in seconds, API Gateway Latency in milliseconds. */
const latencyMetric = (t: Target): { namespace: string; metricName: string; dimensions: Record<string, string>; threshold: number } => (t.loadBalancer !== undefined
  ? { namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensions: { LoadBalancer: t.loadBalancer }, threshold: t.p99ThresholdMs / 1000 }
  : { namespace: 'AWS/ApiGateway', metricName: 'Latency', dimensions: { ApiName: t.apiGateway!.apiName, Stage: t.apiGateway!.stage }, threshold: t.p99ThresholdMs });
/** Per API: its window and dependencies, and for each metric read, the runbook enabled here that its alarms start. */
const policies = ({ config: c, runbookStartedBy }: RunbookContext<ApiLatencyConfig>): Record<string, ApiPolicy> => Object.fromEntries(c.targets.map((t) => {
  const answers = Object.fromEntries(signalsOf(t.dependencies).flatMap((s) => {
    const runbook = runbookStartedBy(s.metric);
    return runbook === undefined ? [] : [[metricKey(s.metric), runbook]];
  }));
  return [apiKey(t), { windowMinutes: windowMinutes(t), movedRatio: c.movedRatio, dependencies: t.dependencies, answers }];
}));

export default defineRunbook({
  name: 'api-latency',
  answers: ['high-api-latency'],
  config,
  targets: (c) => c.targets.map(apiKey),
  trigger: {
    kind: 'alarm',
    route: {
      selectors: [
        { namespaces: ['AWS/ApplicationELB'], metricNames: ['TargetResponseTime'], alarmedMetricOnly: true },
        // A REST API's stage: its alarm names ApiName and Stage (not the per-method dimensions).
        { namespaces: ['AWS/ApiGateway'], metricNames: ['Latency'], alarmedMetricOnly: true, targetDimensions: ['ApiName', 'Stage'] },
      ],
      targetDimensions: ['LoadBalancer'],
    },
    dimensions: (c) => c.targets.map((t) => latencyMetric(t).dimensions),
  },
  stateMachine: { definition },
  handlers: (ctx): HandlerDef[] => [{
    id: 'ApiLatencyDiagnose', substitution: 'DiagnoseFunctionArn', entry: 'runbooks/api-latency/handlers/diagnose.ts', usesLedger: false,
    description: "api-latency: read the API's dependencies' metrics over the alarm's window and the hour before, and rank them",
    environment: { API_POLICIES: json(policies(ctx)) },
    // GetMetricData has no resource-level permissions: "*" is the only resource it takes. Its only call.
    permissions: [{ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }],
  }],
  alarms: (c) => c.targets.map((t): AlarmSpec => {
    const { threshold, ...metric } = latencyMetric(t);
    const name = t.loadBalancer !== undefined ? (t.loadBalancer.split('/')[1] ?? t.loadBalancer) : `${t.apiGateway!.apiName}-${t.apiGateway!.stage}`.replace(/[^A-Za-z0-9_-]/g, '-');
    return {
      id: `${name}-p99-latency`,
      description: `Seed 004 "High API Latency" (Medium): p99 response time of ${apiKey(t)} above ${t.p99ThresholdMs} ms for ${windowMinutes(t)} minutes. Starts api-latency, which ranks its dependencies and pages.`,
      metric: { ...metric, statistic: 'p99', periodMinutes: t.periodMinutes },
      threshold, comparison: 'GreaterThanThreshold', evaluationPeriods: t.evaluationPeriods, datapointsToAlarm: t.evaluationPeriods,
      treatMissingData: 'notBreaching',
    };
  }),
  drill: {
    event: 'events/api-latency.alarm.json',
    // The same agents behind an API Gateway stage (the drill's config has both).
    samples: ['events/samples/api-latency-api-gateway.alarm.json'],
    scenarios: ['drill/scenarios/api-latency-not-explained.json', 'drill/scenarios/api-latency-state-table-silent.json'],
    // The API is no resource the sandbox models; its dependencies are, and every run reads them (and changes none).
    watches: (c) => [...new Set(c.targets.flatMap((t) => [
      ...t.dependencies.functions, ...t.dependencies.tables, ...t.dependencies.databases, ...t.dependencies.services.map((s) => `${s.clusterName}/${s.serviceName}`),
    ]))],
    changes: {},
    // Read-only: it pages with what it found; nothing in the account changes.
    ends: 'escalated',
    // admit -> the dependencies' metrics (one call) -> the page
    calls: [
      // A metric nobody published is an empty answer, never an error: a not-found answer is not about the target.
      { call: 'cloudwatch:GetMetricData', state: 'Read dependency metrics', notFound: 'failed' },
      { call: 'sns:Publish', state: 'Page: the bottleneck ranked' },
    ],
  },
});
