import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withGlobal } from '@sinonjs/fake-timers';
import { createHash } from 'node:crypto';
import { coldStart, lambdaContext, loadFunction, type DrillFunction } from '../../drill/handlers';
import { withAdmissionParameters } from '../../drill/account-setup';
import {
  createProvisionedTables, sandboxEndpointEnv, startDynamo, startSandbox, SANDBOX_CREDENTIALS,
  type AccountState, type AlarmState, type EcsServiceState, type LambdaFunctionState, type LocalDynamo, type Sandbox,
} from '../../drill/sandbox';
import type { AdmitResult } from '../../lambdas/admit/handler';
import type { RouteResult } from '../../lambdas/alarm-router/handler';
import { LEDGER_PARTITION_KEY, LEDGER_SORT_KEY } from '../../lambdas/shared/ledger-table';
import { sharedHandlers, triggerHandlers, type HandlerDef } from '../../lib/catalog';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { alarmEvents, placeOfRead } from './account';
import type { AccountRead } from './read';
import { DeployedRouting, type Place } from './routing';

/** Loads a handler as Lambda cold-starts it, with its own environment (drill/handlers.ts loadFunction by default). */
export type LoadHandler = (def: HandlerDef, name: string, arn: string, env: Record<string, string>) => DrillFunction | Promise<DrillFunction>;

/** One delivery of a transition to a runbook's admit, and what admit decided. */
export interface Delivery {
  readonly at: string;
  readonly alarmName: string;
  readonly runbook: string;
  /** Started by the runbook's metric rule, or by the tag router (the alarm's runbook-autopilot:runbook tag). */
  readonly via: 'metric rule' | 'tag router';
  /** What the state machine's Admit task was given: { runbook, event, execution }. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly result: AdmitResult | { readonly decision: 'error'; readonly reason: string };
}

/** A transition to ALARM that started no runbook, and why. */
export interface Unrouted {
  readonly at: string;
  readonly alarmName: string;
  readonly reason: string;
}

export interface ReplayResult {
  readonly deliveries: readonly Delivery[];
  readonly unrouted: readonly Unrouted[];
}

const LEDGER_TABLE = 'runbook-autopilot-backtest-ledger';
const DELETED = 'the alarm was deleted since: its configuration and tags can no longer be read, so it is not replayed';

/** A UUID-shaped name from a digest (EventBridge names the executions its rules start with a fresh UUID). */
function uuidOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The account as the replay's functions see it: only what admit and the tag router read. The
 * alarms whose tags were read (with those tags), the targets whose tags were read, the switches
 * the stack creates ("enabled") and the runbooks' state machines. Nothing else is modelled: no
 * step that reads or changes anything runs.
 */
function replayAccount(read: AccountRead, routing: DeployedRouting, place: Place): AccountState {
  const at = read.window.to;
  const state: AccountState = {
    accountId: place.account, region: place.region,
    lambda: { concurrentExecutionsLimit: 1000, unreservedMinimum: 100, functions: {} },
    ecs: { clusters: {}, taskDefinitions: {} },
    ssm: { parameters: {} },
    costs: { currency: 'USD', total: 0, byTag: {} },
    sns: { topics: [] },
    stepFunctions: { stateMachines: Object.fromEntries(routing.machines.map((m) => [m.arn, { type: 'STANDARD' as const }])), executions: {} },
    cloudwatch: { alarms: {}, compositeAlarms: {} },
  };
  for (const [name, tags] of Object.entries(read.alarmTags)) {
    if (tags === null) continue;
    if (read.alarms[name]?.type === 'CompositeAlarm') {
      state.cloudwatch.compositeAlarms[name] = { description: '', alarmRule: read.alarms[name]?.alarmRule ?? 'FALSE', stateValue: 'OK', stateReason: '', stateUpdatedAt: at, alarmActions: [], tags: { ...tags } };
    } else state.cloudwatch.alarms[name] = tagsOnlyAlarm(tags, at);
  }
  for (const [name, tags] of Object.entries(read.targetTags['lambda:function'] ?? {})) if (tags) state.lambda.functions[name] = tagsOnlyFunction(tags, at);
  for (const [key, tags] of Object.entries(read.targetTags['ecs:service'] ?? {})) {
    const [cluster = '', service = ''] = key.split('/');
    if (tags && service) (state.ecs.clusters[cluster] ??= { services: {} }).services[service] = tagsOnlyService(tags, at);
  }
  return withAdmissionParameters(state, routing.config);
}

/** An alarm of the replay account: the router reads only that it exists and its tags. */
function tagsOnlyAlarm(tags: Readonly<Record<string, string>>, at: string): AlarmState {
  return {
    description: '', namespace: '', metricName: '', dimensions: {}, statistic: 'Average', period: 60, evaluationPeriods: 1, threshold: 0,
    comparisonOperator: 'GreaterThanThreshold', treatMissingData: 'ignore', stateValue: 'OK', stateReason: '', stateUpdatedAt: at,
    alarmActions: [], okActions: [], tags: { ...tags }, causePersists: true,
  };
}

/** A function of the replay account: admit reads only its tags. */
function tagsOnlyFunction(tags: Readonly<Record<string, string>>, at: string): LambdaFunctionState {
  return { runtime: '', handler: '', memorySize: 128, timeout: 3, reservedConcurrency: null, lastModified: at, description: '', environment: {}, tags: { ...tags } };
}

/** A service of the replay account: admit reads only its tags. */
function tagsOnlyService(tags: Readonly<Record<string, string>>, at: string): EcsServiceState {
  return {
    status: 'ACTIVE', desiredCount: 0, runningCount: 0, pendingCount: 0, taskDefinition: '', containerName: '', containerImage: '', containerPort: 0,
    targetGroupArn: '', failure: 'none', describesToSettle: 1, createdAt: at, deployments: [], events: [], tasks: [], tags: { ...tags },
  };
}

/** The ledger, keyed as the stack's table is, in dynalite; the tables admit reads the tags of, with those tags. */
async function localDynamo(read: AccountRead, region: string): Promise<LocalDynamo> {
  const dynamo = await startDynamo();
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials: SANDBOX_CREDENTIALS });
  try {
    await client.send(new CreateTableCommand({
      TableName: LEDGER_TABLE, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: LEDGER_PARTITION_KEY, AttributeType: 'S' }, { AttributeName: LEDGER_SORT_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: LEDGER_PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: LEDGER_SORT_KEY, KeyType: 'RANGE' }],
    }));
  } finally {
    client.destroy();
  }
  const tables = Object.entries(read.targetTags['dynamodb:table'] ?? {}).flatMap(([name, tags]) => (tags ? [{ name, partitionKey: { name: 'pk', type: 'S' as const }, tags }] : []));
  await createProvisionedTables(dynamo.endpoint, tables);
  return dynamo;
}

/** Sets variables for the replay and gives back a function that puts the environment back as it was. */
function setEnvironment(vars: Record<string, string>, unset: readonly string[]): () => void {
  const saved = new Map([...Object.keys(vars), ...unset].map((k) => [k, process.env[k]]));
  for (const k of unset) delete process.env[k];
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/**
 * Replays the account's transitions to ALARM, in time order, through what the stack would deploy
 * for this config: each runbook's metric rules (the same patterns) and the real tag router; each
 * delivery through the real admit handler against a fresh ledger (dynalite), with the clock (Date
 * only) set to the transition's time. Plan-only: admit is the only step that runs, and every AWS
 * call either function makes goes to the replay's own account (replayAccount), never the real one.
 */
export async function replay(read: AccountRead, config: EnvironmentConfig, load: LoadHandler = loadFunction): Promise<ReplayResult> {
  const deleted: Unrouted[] = read.transitions
    .filter((t) => t.to.stateValue === 'ALARM' && read.alarms[t.alarmName] === undefined)
    .map((t) => ({ at: t.at, alarmName: t.alarmName, reason: DELETED }));
  const place = placeOfRead(read);
  const events = alarmEvents(read);
  if (!place || events.length === 0) return { deliveries: [], unrouted: deleted };
  const routing = new DeployedRouting(config, place);
  const starts: { stateMachineArn: string; name: string; input: string }[] = [];
  const dynamo = await localDynamo(read, place.region);
  let sandbox: Sandbox | undefined;
  let restoreEnv: (() => void) | undefined;
  const clock = withGlobal(globalThis).install({ now: Date.parse(events[0]!.transition.at), toFake: ['Date'] });
  try {
    sandbox = await startSandbox(replayAccount(read, routing, place), {
      onStartExecution: async (stateMachineArn, name, input) => {
        starts.push({ stateMachineArn, name, input });
        return { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: new Date() };
      },
    });
    restoreEnv = setEnvironment({
      ...sandboxEndpointEnv(sandbox.url, { dynamodb: dynamo.endpoint }),
      AWS_REGION: place.region, AWS_DEFAULT_REGION: place.region,
      POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_DEV: 'false', POWERTOOLS_METRICS_DISABLED: 'true',
    }, ['AWS_PROFILE', 'AWS_SESSION_TOKEN']);
    coldStart();
    const fnName = (id: string) => `runbook-autopilot-${config.environment}-${id}`;
    const loadDef = (def: HandlerDef) => load(def, fnName(def.id), routing.arns.lambdaFunction(fnName(def.id)), {
      ...def.environment, ...(def.usesLedger ? { LEDGER_TABLE } : {}), POWERTOOLS_SERVICE_NAME: `runbook-autopilot-${def.id}`,
    });
    const admit = await loadDef(sharedHandlers(config, routing.arns).admit);
    const routerDef = triggerHandlers(config, routing.arns, routing.machines).alarmRouter;
    const router = routerDef ? await loadDef(routerDef) : undefined;

    const deliveries: Delivery[] = [];
    const unrouted: Unrouted[] = [...deleted];
    const deliver = async (at: string, alarmName: string, runbook: string, via: Delivery['via'], event: unknown, executionArn: string) => {
      const input = { runbook, event, execution: { id: executionArn, redriveCount: 0 } };
      let result: Delivery['result'];
      try {
        result = (await admit.handler(input, lambdaContext(admit))) as AdmitResult;
      } catch (e: unknown) {
        // The execution would fail at Admit (and be retried, then escalated): said, not counted as a decision.
        result = { decision: 'error', reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
      }
      deliveries.push({ at, alarmName, runbook, via, input, result });
    };

    for (const { transition, event } of events) {
      clock.setSystemTime(Date.parse(transition.at));
      const name = transition.alarmName;
      const ruled = routing.ruleRunbooks(event);
      for (const runbook of ruled) {
        const machine = routing.machines.find((m) => m.runbook === runbook)!;
        await deliver(transition.at, name, runbook, 'metric rule', event, `${machine.arn.replace(':stateMachine:', ':execution:')}:${uuidOf(`${String(event.id)}|${runbook}`)}`);
      }
      let routed: RouteResult | undefined;
      if (router && routing.routerHears(event)) {
        starts.length = 0;
        routed = (await router.handler(event, lambdaContext(router))) as RouteResult;
        for (const start of starts.splice(0)) {
          const runbook = routing.runbookOf(start.stateMachineArn);
          if (runbook) await deliver(transition.at, name, runbook, 'tag router', JSON.parse(start.input), `${start.stateMachineArn.replace(':stateMachine:', ':execution:')}:${start.name}`);
        }
      }
      if (!deliveries.some((d) => d.at === transition.at && d.alarmName === name)) {
        unrouted.push({ at: transition.at, alarmName: name, reason: unroutedReason(router !== undefined, routed) });
      }
    }
    return { deliveries, unrouted: unrouted.sort((a, b) => a.at.localeCompare(b.at)) };
  } finally {
    clock.uninstall();
    restoreEnv?.();
    await sandbox?.close();
    await dynamo.close();
  }
}

function unroutedReason(hasRouter: boolean, routed: RouteResult | undefined): string {
  if (!hasRouter) return 'no rule of an enabled runbook matches its metric and target, and no runbook is routed by tag here';
  if (routed === undefined || routed.reason === 'untagged') return 'no rule of an enabled runbook matches its metric and target, and it carries no runbook-autopilot:runbook tag';
  return `no rule of an enabled runbook matches its metric and target; the tag router: ${routed.reason}`;
}
