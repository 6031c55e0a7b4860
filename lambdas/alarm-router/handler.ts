import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SFNClient } from '@aws-sdk/client-sfn';
import * as z from '../shared/zod';
import { assertEventPattern, matchesPattern, type EventPattern } from '../domain/event-pattern';
import { firstIssue } from '../domain/first-issue';
import { metricRulePatterns, routeTargetsSchema, RUNBOOK_TAG, TARGET_TAG, type MetricRoute } from '../domain/routing';
import { alarmDedupeKey, alarmEventSchema, alarmTarget, incidentIdFor, type RunbookTrigger } from '../domain/trigger';
import { requireEnv, requireJsonEnv } from '../shared/env';
import { cloudWatchSdk, sfnSdk } from '../shared/sdk-modules';
import { classifyAwsError, hasErrorName } from '../shared/errors';
import { LazyClient } from '../shared/lazy-sdk';
import { correlate, logger } from '../shared/logger';
import { BUNDLED_TRIGGERS } from '../shared/runbook-triggers';

interface Route {
  readonly stateMachineArn: string;
  /** The EventPatterns of the runbook's metric rules, built as the stack builds them. */
  readonly patterns: readonly EventPattern[];
  /** Its metrics and the dimensions that name the target (its module's trigger). */
  readonly route: MetricRoute;
}

/**
 * What differs per environment, per enabled alarm-started runbook: what its rules match on the
 * target dimensions. Its state machine's ARN is STATE_MACHINE_ARN_PREFIX (which ends in
 * `runbook-autopilot-<env>-`) and the runbook's name, as the stack names it.
 * Its route (metrics, target dimensions) is the same everywhere and comes in the bundle (npm run
 * triggers). The patterns are built here with the stack's own functions: in the environment they
 * would outgrow Lambda's 4 KB as the catalog grows.
 */
const routesSchema = z.record(z.string(), routeTargetsSchema);
const STATE_MACHINE_ARN = /^arn:[^:]+:states:[^:]*:\d{12}:stateMachine:.+$/;

/** The runbooks started by alarms, each only with patterns the matcher can evaluate. */
function parseRoutes(raw: unknown, arnPrefix: string, bundled: Readonly<Record<string, RunbookTrigger>>): ReadonlyMap<string, Route> {
  const routes = new Map<string, Route>();
  for (const [runbook, targets] of Object.entries(routesSchema.parse(raw))) {
    const stateMachineArn = `${arnPrefix}${runbook}`;
    if (!STATE_MACHINE_ARN.test(stateMachineArn)) throw new Error(`${runbook}: ${stateMachineArn} is not a state machine ARN`);
    const metricRoute = bundled[runbook]?.alarm;
    if (!metricRoute) throw new Error(`${runbook} is not started by alarms in the bundled triggers (npm run triggers)`);
    const patterns = metricRulePatterns(metricRoute, targets).map((pattern) => {
      assertEventPattern(pattern);
      return pattern;
    });
    routes.set(runbook, { stateMachineArn, patterns, route: metricRoute });
  }
  if (routes.size === 0) throw new Error('names no runbook');
  return routes;
}

const ROUTES = requireJsonEnv('ROUTES', (raw) => parseRoutes(raw, requireEnv('STATE_MACHINE_ARN_PREFIX'), BUNDLED_TRIGGERS));
// Most alarms end before either call (left to a metric rule, or untagged: not ours), so each
// module is loaded at its first call (shared/lazy-sdk.ts), not at init.
const cloudwatch = new LazyClient(cloudWatchSdk, (m): CloudWatchClient => new m.CloudWatchClient({}));
const sfn = new LazyClient(sfnSdk, (m): SFNClient => new m.SFNClient({}));

export interface RouteResult {
  readonly routed: boolean;
  readonly runbook?: string;
  readonly target?: string;
  readonly executionArn?: string;
  readonly reason: string;
}

/**
 * Bad or foreign input is logged once and skipped, never thrown: a retry cannot fix it. Only
 * AWS failures throw, so EventBridge retries the event and finally parks it in the DLQ.
 */
async function route(event: unknown): Promise<RouteResult> {
  const parsed = alarmEventSchema.safeParse(event);
  if (!parsed.success) {
    const reason = `not a CloudWatch Alarm State Change event (${firstIssue(parsed.error)})`;
    logger.error(`Ignored an event: ${reason}`);
    return { routed: false, reason };
  }
  const alarm = parsed.data;
  const alarmArn = alarm.resources[0];
  logger.appendKeys({ alarmName: alarm.detail.alarmName, ...(alarmArn ? { alarmArn } : {}) });

  // The rule forwards ALARM only; any other state would be rejected by admit anyway.
  if (alarm.detail.state.value !== 'ALARM') {
    const reason = `alarm is in state ${alarm.detail.state.value}, not ALARM`;
    logger.warn(`Ignored an alarm: ${reason}`);
    return { routed: false, reason };
  }

  // Matched against the raw event, as EventBridge matched it: the metric rule already started
  // this runbook, and a second start would be a second execution of the same transition.
  for (const [runbook, { patterns }] of ROUTES) {
    if (patterns.some((pattern) => matchesPattern(pattern, event))) {
      logger.debug('Left to the metric rule', { runbook });
      return { routed: false, runbook, reason: 'routed by metric' };
    }
  }

  if (!alarmArn) {
    const reason = 'the event names no alarm ARN in resources';
    logger.error(`Ignored an alarm: ${reason}`);
    return { routed: false, reason };
  }

  let tags: ReadonlyMap<string, string>;
  try {
    const { m, client } = await cloudwatch.get();
    const out = await client.send(new m.ListTagsForResourceCommand({ ResourceARN: alarmArn }));
    tags = new Map((out.Tags ?? []).flatMap((t): [string, string][] => (t.Key !== undefined && t.Value !== undefined ? [[t.Key, t.Value]] : [])));
  } catch (e: unknown) {
    if (hasErrorName(e, 'ResourceNotFoundException')) {
      const reason = 'the alarm no longer exists';
      logger.warn(`Ignored an alarm: ${reason}`);
      return { routed: false, reason };
    }
    const error = classifyAwsError(e, `cloudwatch:ListTagsForResource on ${alarmArn}`);
    logger.error('Could not read the alarm tags; the event is retried', { error: { name: error.name, message: error.message } });
    throw error;
  }

  const tagged = tags.get(RUNBOOK_TAG);
  if (!tagged) {
    // Most alarms in an account are not ours: this is the common case, not a problem.
    logger.debug(`Alarm has no ${RUNBOOK_TAG} tag`);
    return { routed: false, reason: 'untagged' };
  }
  const runbook = tagged;
  const routeTo = ROUTES.get(runbook);
  if (!routeTo) {
    const reason = `tag ${RUNBOOK_TAG}=${tagged} names no alarm runbook enabled here (enabled: ${[...ROUTES.keys()].join(', ')})`;
    logger.warn(`Ignored an alarm: ${reason}`);
    return { routed: false, reason };
  }
  const target = tags.get(TARGET_TAG) || alarmTarget(routeTo.route, alarm);
  if (!target) {
    const reason = `alarm names no target for ${runbook}: add a ${TARGET_TAG} tag`;
    logger.warn(`Ignored an alarm: ${reason}`, { runbook });
    return { routed: false, runbook, reason };
  }

  // The original event, not the parsed one: zod drops fields the runbook may show (reasonData, previousState).
  const input = { source: 'runbook-autopilot', 'detail-type': 'Tagged Alarm', detail: { target, alarm: event } };
  // Named after the incident admit will derive, so a redelivered event cannot start a second run.
  const name = incidentIdFor(alarmDedupeKey(alarm));
  const executionArn = `${routeTo.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  correlate({ incidentId: name, executionArn });
  const where = { runbook, target, name };
  try {
    const { m, client } = await sfn.get();
    const out = await client.send(new m.StartExecutionCommand({ stateMachineArn: routeTo.stateMachineArn, name, input: JSON.stringify(input) }));
    logger.info(`Started ${runbook}`, where);
    return { routed: true, runbook, target, ...(out.executionArn ? { executionArn: out.executionArn } : {}), reason: `tagged ${RUNBOOK_TAG}=${runbook}` };
  } catch (e: unknown) {
    if (hasErrorName(e, 'ExecutionAlreadyExists')) {
      logger.info('Duplicate alarm transition: its execution already exists', where);
      return { routed: false, runbook, target, executionArn, reason: 'duplicate: this alarm transition already started an execution' };
    }
    const error = classifyAwsError(e, `states:StartExecution ${name} on ${routeTo.stateMachineArn}`);
    logger.error(`Could not start ${runbook}; the event is retried`, { ...where, error: { name: error.name, message: error.message } });
    throw error;
  }
}

/**
 * Target of the rule on every ALARM transition: starts the runbook an alarm names by tag, for
 * alarms the metric rules cannot route (composite alarms, metrics that name no target).
 */
export const handler = middy(route).use(injectLambdaContext(logger, { resetKeys: true }));
