import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ScanCommand, UpdateTableCommand, DeleteTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import { matchesPattern, type EventPattern } from '../lambdas/domain/event-pattern';
import { isManualStart } from '../lambdas/domain/manual-start';
import { Ledger, type ActionRecord } from '../lambdas/shared/ledger';
import { LEDGER_PARTITION_KEY, LEDGER_SORT_KEY } from '../lambdas/shared/ledger-table';
import { OWN_STATE_MACHINE_TAG } from '../lambdas/domain/own-resources';
import {
  approvalPageHandler, budgetRunbook, buildCatalog, executionFailureHandler, literalArns, MODULES, reportEnvironment, routerPattern, runbookConfig, runbookRulePatterns, sharedHandlers,
  stackNameOf, stateMachineNameOf, switchParameters, triggerHandlers, undoMachine, UNDO_MACHINE, type Arns, type HandlerDef,
} from '../lib/catalog';
import { REPORT_PREFIX } from '../lambdas/domain/report-key';
import { RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { executionFailurePattern } from '../lambdas/domain/execution-failure';
import type { ExecutionFailedResult } from '../lambdas/notify/execution-failed';
import { historyOf, statusChangeEvent } from './execution-history';
import { loadConfig } from '../lib/config/load';
import type { EnvironmentConfig } from '../lib/config/schema';
import { startDynamoProxy, type DynamoCall, type DynamoMutation } from './audit-proxy';
import type { CapacityModeRule } from './capacity-mode-rule';
import type { BackupRecord } from './dynamo-backups';
import { DrillExecutor, type ExecutionRecord, type TaskTokenRunner, type TimeCompression } from './executor';
import { decideAsPerson, openAsPerson, prefetchAsScanner, startApprovalPages, type ApprovalPages } from './approval-pages';
import { ApprovalStore } from '../lambdas/approval/store';
import type { RequestResult } from '../lambdas/approval/request';
import { coldStart, lambdaContext, loadFunction, type DrillFunction } from './handlers';
import { InputError, type DrillInput } from './inputs';
import type { ApprovalNote, AuditCheck, MutationReceived } from './records';

export type { ApprovalNote, AuditCheck, MutationReceived } from './records';
import { buildResult, type DrillResult, type RuleNotice } from './result';
import { buildUndoResult } from './undo-result';
import { scanItems, tableItems } from './table-items';
import type { KeptState } from './kept-state';
import {
  createSeedTables, deliveredAs, untilActive, sandboxEndpointEnv, seedAccountState, startDynamo, startSandbox, TOPIC_ARNS,
  TASK_TOKEN_PREFIX, type AccountState, type FaultSpec, type Sandbox, type TaskResult,
} from './sandbox';
import { randomBytes } from 'node:crypto';
import { applyScenario, type Scenario } from './scenario';
import { withRunbookTags, withAdmissionParameters } from './account-setup';
import { handOverSdkCalls } from './sandbox/in-process';
import { ownPort, SharedPort } from './sandbox/listen';
import { withoutSdkBackoff } from './sdk-backoff';
import { metricsOf, tapMetrics, type EmittedMetric } from './metrics-tap';
import { METRICS_ENVIRONMENT_VARIABLE } from '../lambdas/domain/metrics';

export interface DrillOptions {
  /** @default config/drill.json */
  readonly config?: EnvironmentConfig;
  /** How the account differs from the seed systems before the events arrive. */
  readonly scenario?: Scenario;
  /** Calls that fail; service "dynamodb" faults apply to the target tables' API. */
  readonly faults?: readonly DrillFault[];
  /** @default DRILL_TIME */
  readonly time?: TimeCompression;
  /** How the approvers answer gated steps, in order; nobody answers when absent (the timeout path). */
  readonly answers?: readonly ApproverAnswer[];
  /** DynamoDB's limit on switches to on-demand; a test passes one with its own clock. @default the real limit, on the wall clock */
  readonly capacityModeRule?: CapacityModeRule;
  /** Called as each mutating call reaches the account, before it is applied (a test may inject a fault then). */
  readonly onMutation?: (operation: string, target: string) => void | Promise<void>;
  /**
   * The scripted approvers open their pages, then all click at the same moment while an email
   * scanner fetches every link: the decisions race on the request row.
   */
  readonly decideTogether?: boolean;
  /**
   * Serve the approval pages on this port and let a person answer: links are printed, nobody is
   * scripted, and a request waits for its deadline (uncompressed, capped by the option's value).
   */
  readonly servePages?: { port: number; waitMs: number; onLink: (approver: string, link: string, level: string) => void };
  /**
   * Initialize every function before the first event (as provisioned concurrency keeps them), so
   * a run's timings hold no function's init; by default a function initializes at its first
   * invocation, as Lambda does. @default false
   */
  readonly initAtStart?: boolean;
}

export interface ApproverAnswer {
  readonly approver: string;
  readonly decision: 'approve' | 'reject';
}

/** How many calls the sandbox and DynamoDB had received at some moment. */
export interface CallsMark {
  readonly sandbox: number;
  readonly dynamodb: number;
}

/** An AWS call a drill function made: its service, operation, what it named, and the function. */
export interface AwsCallReceived {
  readonly service: string;
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly caller?: string;
}

export type DrillFault = FaultSpec | (Omit<FaultSpec, 'service'> & { service: 'dynamodb'; table?: string });

/** How many mutating calls the sandbox and the target tables had received at some moment. */
export interface MutationMark {
  readonly sandbox: number;
  readonly tables: number;
}

/** The drill's ledger table (its DynamoDB calls pass the proxy unaudited). */
export const LEDGER_TABLE = 'runbook-autopilot-drill-ledger';
/** The link-signing key, as the stack generates it in Secrets Manager. */
export const APPROVAL_SECRET = 'runbook-autopilot-drill-approval-signing-key';
/** The post-incident reports' bucket, as the stack creates it: versioned, encrypted with a key of its own. */
export const REPORT_BUCKET = 'runbook-autopilot-drill-incident-reports';
/** As lib/autopilot-stack.ts configures them: the adapter's asynchronous invoke, the tag router's rule target. */
const BUDGET_ADAPTER_RETRY_ATTEMPTS = 2;
/** As lib/autopilot-stack.ts configures the execution-failure notifier's asynchronous invoke (the rule's target). */
const EXECUTION_FAILED_RETRY_ATTEMPTS = 2;
const ALARM_ROUTER_RETRY_ATTEMPTS = 20;
/**
 * How the drill compresses time: Wait states and Retry pauses, a task token's deadline, and how
 * long a request whose answer a `timeout` fault drops hangs before its connection closes. The
 * SDK's own back-off between attempts is none (drill/sdk-backoff.ts).
 */
export const DRILL_TIME: Required<TimeCompression> = { waitMs: 5, retryMs: 5, taskTokenTimeoutMs: 50, hangUpMs: 5 };
// PutItem: the undo puts deleted tasks back (the ledger's own writes are not audited against itself).
const MUTATING_DYNAMODB = new Set(['UpdateTable', 'DeleteItem', 'BatchWriteItem', 'CreateBackup', 'PutItem']);

/**
 * The drill: the deployed runbooks (same ASL files, same handler code, same routing) against a
 * sandbox account: DynamoDB is dynalite, the other services a stateful in-process model that
 * answers with AWS's own rules and errors. Waits and retry pauses are compressed.
 */
export class Drill {
  private readonly executors = new Map<string, DrillExecutor>();
  private readonly pending: Promise<ExecutionRecord>[] = [];
  /** Executions a running execution started (the guardrail's undo): held until the drill has recorded the parent's result. */
  private readonly children: Promise<ExecutionRecord>[] = [];
  private readonly heldChildren: (() => void)[] = [];
  private readonly audits: AuditCheck[] = [];
  private budgetAdapter?: DrillFunction;
  /** The tag router and its rule's pattern (every ALARM transition but those routed by name). */
  private alarmRouter?: { fn: DrillFunction; pattern: EventPattern };
  /** The execution-failure rule's target, and the rule's pattern (the runbooks' own executions). */
  private executionFailed?: { fn: DrillFunction; pattern: ReturnType<typeof executionFailurePattern> };
  /** Every run of every execution, by execution ARN, oldest first. */
  private readonly runs = new Map<string, ExecutionRecord[]>();
  /** Redrives the sandbox accepted, running. */
  private readonly redriving: Promise<ExecutionRecord>[] = [];
  /** What the execution-failure rule's notifier did with each failed run, in order. */
  readonly ruleNotices: RuleNotice[] = [];
  private undoExecutor?: DrillExecutor;
  /** The account's ARNs, as the stack's rules name the targets. */
  private arns!: Arns;
  /** DynamoDB on-demand backups taken during the drill, with their items (drill/dynamo-backups.ts). */
  backups: () => readonly BackupRecord[] = () => [];
  /** Fails the next calls of an operation (as --fault does), from now on. */
  injectFault: (fault: DrillFault) => void = () => undefined;
  /** Drops the injected faults not used up yet. */
  clearFaults: () => void = () => undefined;
  private dynamoMutations: () => readonly DynamoMutation[] = () => [];
  private dynamoCalls: () => readonly DynamoCall[] = () => [];
  private readonly waiters = new Map<string, (result: TaskResult) => void>();
  readonly approvalNotes: ApprovalNote[] = [];
  readonly approvals: ApprovalStore;
  private pages!: ApprovalPages;
  /** Every metric the handlers printed (EMF lines taken off stdout). */
  private emitted: readonly EmittedMetric[] = [];
  private answers: readonly ApproverAnswer[] = [];
  private decideTogether = false;
  private servePages?: DrillOptions['servePages'];
  private onMutation?: DrillOptions['onMutation'];
  /** The scenario's clock: minutes the sandbox clock moves on after each run. */
  private clockAfterRunMinutes?: number;

  private constructor(
    readonly config: EnvironmentConfig,
    readonly sandbox: Sandbox,
    private readonly dynamo: DynamoDBClient,
    readonly ledger: Ledger,
    private readonly closers: (() => Promise<void>)[],
    private readonly time: TimeCompression,
  ) {
    this.approvals = new ApprovalStore(LEDGER_TABLE, dynamo);
  }

  static async start(options: DrillOptions = {}): Promise<Drill> {
    const closers: (() => Promise<void>)[] = [];
    try {
      return await Drill.open(options, closers);
    } catch (e: unknown) {
      // What had started is closed again (a bad --fault, a scenario the account refuses): the
      // process's ports are free for the next drill.
      for (const close of closers) await close().catch(() => undefined);
      throw e;
    }
  }

  private static async open(options: DrillOptions, closers: (() => Promise<void>)[]): Promise<Drill> {
    const config = options.config ?? loadConfig('drill');
    const account = config.account ?? '111122223333';
    const time = { ...DRILL_TIME, ...options.time };
    // The SDK's calls to the sandbox and to dynalite, the drill's own too, are handed over in process.
    handOverSdkCalls();
    const ports = await drillPorts();
    const local = await startDynamo();
    closers.push(() => local.close());

    const scenario = options.scenario;
    const deployed = (seeded: AccountState) => withAdmissionParameters(withRunbookTags(seeded), config);
    const state = seedAccountState((seeded) => (scenario ? applyScenario(scenario, deployed(seeded)) : deployed(seeded)));
    // The stack generates the approval link-signing key beside the account's own secrets.
    state.secretsManager = {
      secrets: {
        ...state.secretsManager?.secrets,
        [APPROVAL_SECRET]: {
          arn: `arn:aws:secretsmanager:${state.region}:${state.accountId}:secret:${APPROVAL_SECRET}-Ab12Cd`,
          value: randomBytes(32).toString('hex'), versionId: '00000000-0000-4000-8000-000000000001', createdAt: new Date().toISOString(),
        },
      },
    };
    state.s3 = {
      buckets: {
        ...state.s3?.buckets,
        [REPORT_BUCKET]: {
          owner: state.accountId, lambdaNotifications: [], versioning: 'Enabled',
          encryption: { kmsKeyArn: `arn:aws:kms:${state.region}:${state.accountId}:key/0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6`, bucketKeyEnabled: true },
        },
      },
    };
    // Tagged as the stack tags its state machines: a runbook that acts on executions refuses these.
    for (const name of [...buildCatalog(config, literalArns('aws', config.region, account)).map((d) => d.name), UNDO_MACHINE]) {
      state.stepFunctions.stateMachines[machineArnOf(config, account, name)] = { type: 'STANDARD', tags: { [OWN_STATE_MACHINE_TAG]: stackNameOf(config.environment) } };
    }
    let drill: Drill | undefined;
    const sandbox = await startSandbox(state, {
      onCall: async (call) => {
        // An operator's redrive of a runbook execution, or the stack writing an incident's report, is not a runbook's change: it has no ledger row of its own.
        if (call.mutating && !operatorRedrive(call, state) && !ownRecord(call)) await drill?.checkAudit(`${call.service}:${call.operation}`, auditTarget(call.service, call.input));
      },
      onApplicationPost: async (path) => drill?.checkAudit('application:PostKillSwitch', path),
      onRedriveExecution: async (executionArn) => {
        if (!drill) throw new Error('drill not started');
        drill.startRedrive(executionArn);
      },
      describeTable: async (name) => drill?.tableView(name),
      onTaskResult: (token, result) => drill?.waiters.get(token)?.(result),
      onStartExecution: async (stateMachineArn, name, input) => {
        if (!drill) throw new Error('drill not started');
        return drill.startExecution(stateMachineArn, name, input);
      },
    }, ports.sandbox.listen);
    closers.push(() => sandbox.close());
    const proxy = await startDynamoProxy(local.endpoint, MUTATING_DYNAMODB, async (operation, input) => {
      if (input.TableName === LEDGER_TABLE) return;
      await drill?.checkAudit(`dynamodb:${operation}`, String(input.TableName ?? ''));
    }, {
      account: { region: config.region, accountId: account }, ledgerTables: [LEDGER_TABLE], listen: ports.dynamodb.listen,
      ...(options.capacityModeRule ? { rule: options.capacityModeRule } : {}),
    });
    closers.push(() => proxy.close());
    const injectFault = (spec: DrillFault) => {
      const fault = { ...spec, holdMs: spec.holdMs ?? time.hangUpMs };
      if (fault.service === 'dynamodb') proxy.injectFault(fault);
      else {
        try {
          sandbox.injectFault(fault);
        } catch (e: unknown) {
          throw new InputError(`--fault: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    };
    for (const fault of options.faults ?? []) injectFault(fault);

    const baseEnv: Record<string, string> = {
      ...sandboxEndpointEnv(sandbox.url, { dynamodb: proxy.url }),
      AWS_REGION: config.region,
      POWERTOOLS_LOG_LEVEL: process.env.DRILL_LOG_LEVEL ?? 'SILENT',
      POWERTOOLS_DEV: 'false',
      [METRICS_ENVIRONMENT_VARIABLE]: config.environment,
      // Emitted and taken off stdout (metrics-tap.ts), even where a test runner turned them off.
      POWERTOOLS_METRICS_DISABLED: 'false',
    };
    Object.assign(process.env, baseEnv);
    const dynamo = new DynamoDBClient({ endpoint: local.endpoint, region: config.region });
    closers.unshift(async () => dynamo.destroy());
    await createLedgerTable(dynamo);
    await createSeedTables(local.endpoint);
    for (const table of scenario?.onDemandTables ?? []) {
      await dynamo.send(new UpdateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST' }));
      await untilActive(dynamo, table);
    }
    for (const table of scenario?.deletedTables ?? []) await dynamo.send(new DeleteTableCommand({ TableName: table }));

    // A person answering in a browser gets the port they asked for.
    const pages = await startApprovalPages(options.servePages ? ownPort(options.servePages.port) : ports.pages.listen);
    closers.unshift(() => pages.close());
    drill = new Drill(config, sandbox, dynamo, new Ledger(LEDGER_TABLE, dynamo), closers, time);
    drill.onMutation = options.onMutation;
    drill.clockAfterRunMinutes = scenario?.clock?.afterRunMinutes;
    drill.backups = () => proxy.backups();
    drill.injectFault = injectFault;
    drill.clearFaults = () => {
      sandbox.clearFaults();
      proxy.clearFaults();
    };
    drill.dynamoMutations = () => proxy.mutations();
    drill.dynamoCalls = () => proxy.calls();
    drill.pages = pages;
    const tap = tapMetrics();
    closers.unshift(async () => tap.stop());
    drill.emitted = tap.metrics;
    drill.answers = options.answers ?? [];
    drill.decideTogether = options.decideTogether ?? false;
    drill.servePages = options.servePages;
    drill.wire(config, account, options.initAtStart ?? false);
    return drill;
  }

  private wire(config: EnvironmentConfig, account: string, initAtStart: boolean): void {
    coldStart();
    withoutSdkBackoff();
    const arns = literalArns('aws', config.region, account);
    this.arns = arns;
    const fnArn = (id: string) => arns.lambdaFunction(`runbook-autopilot-drill-${id}`);
    const load = (def: HandlerDef, extra: Record<string, string> = {}) => {
      const fn = loadFunction(def, `runbook-autopilot-drill-${def.id}`, fnArn(def.id), {
        ...def.environment,
        ...(def.usesLedger ? { LEDGER_TABLE } : {}),
        ...(def.usesApprovals ? { APPROVAL_TOPIC_ARN: TOPIC_ARNS.approvals, APPROVAL_SECRET_ID: APPROVAL_SECRET, APPROVAL_BASE_URL: this.pages.url } : {}),
        POWERTOOLS_SERVICE_NAME: `runbook-autopilot-${def.id}`,
        ...extra,
      });
      if (initAtStart) fn.init();
      return fn;
    };
    const shared = sharedHandlers(config, arns);
    const admit = load(shared.admit);
    const notify = load(shared.notify, { CRITICAL_TOPIC_ARN: TOPIC_ARNS.critical, INFO_TOPIC_ARN: TOPIC_ARNS.info });
    const report = load(shared.report, { REPORT_BUCKET });
    for (const def of buildCatalog(config, arns)) {
      const functions = def.handlers.map((h) => load(h));
      const byArn = new Map([admit, notify, report, ...functions].map((f) => [f.arn, f]));
      const substitutions = {
        [shared.admit.substitution]: admit.arn,
        [shared.notify.substitution]: notify.arn,
        [shared.report.substitution]: report.arn,
        ...Object.fromEntries(def.handlers.map((h, i) => [h.substitution, functions[i]!.arn])),
        ...def.substitutions,
      };
      const machineArn = machineArnOf(config, account, def.name);
      this.executors.set(def.name, new DrillExecutor(def.name, def.definitionFile, substitutions, byArn, machineArn, this.time, this.runTaskToken));
    }
    const undo = undoMachine(config, arns);
    const undoFunctions = undo.handlers.map((h) => load(h));
    this.undoExecutor = new DrillExecutor(undo.name, undo.definitionFile, {
      ...undo.substitutions,
      [shared.notify.substitution]: notify.arn,
      [shared.report.substitution]: report.arn,
      ...Object.fromEntries(undo.handlers.map((h, i) => [h.substitution, undoFunctions[i]!.arn])),
    }, new Map([notify, report, ...undoFunctions].map((f) => [f.arn, f])), machineArnOf(config, account, undo.name), this.time, this.runTaskToken);
    this.pages.setFunction(load(approvalPageHandler(config, arns)));
    const machines = [...this.executors].map(([runbook, e]) => ({ runbook, arn: e.stateMachineArn, name: e.stateMachineArn.split(':').pop() ?? '' }));
    this.executionFailed = {
      fn: load(executionFailureHandler(config, arns, machines, reportEnvironment(config)), { CRITICAL_TOPIC_ARN: TOPIC_ARNS.critical, REPORT_BUCKET }),
      pattern: executionFailurePattern(machines.map((m) => m.arn)),
    };
    const triggers = triggerHandlers(config, arns, machines);
    if (triggers.budgetAdapter) this.budgetAdapter = load(triggers.budgetAdapter);
    if (triggers.alarmRouter) this.alarmRouter = { fn: load(triggers.alarmRouter), pattern: routerPattern(config, arns) };
  }

  /**
   * A `.waitForTaskToken` Task: mint the token, invoke the request handler with it, let the
   * approvers answer through the real page (an email scanner pre-fetches every link first), then
   * resume with what SendTaskSuccess / SendTaskFailure sent, or time out (compressed).
   */
  private readonly runTaskToken: TaskTokenRunner = async ({ state, executionArn, payload, invoke }) => {
    const token = `${TASK_TOKEN_PREFIX}${randomBytes(48).toString('base64url')}`;
    const tokens = (this.sandbox.state.stepFunctions.taskTokens ??= {});
    tokens[token] = { executionArn, state, status: 'waiting' };
    const result = new Promise<TaskResult>((resolve) => this.waiters.set(token, resolve));
    const note = (event: ApprovalNote['event'], detail: string) => this.approvalNotes.push({ executionArn, at: Date.now(), state, event, detail });
    try {
      let request: RequestResult | undefined;
      try {
        request = ((await invoke({ ...payload, taskToken: token })) as { Payload?: RequestResult }).Payload;
      } catch (e: unknown) {
        tokens[token]!.status = 'failed';
        throw e;
      }
      let waitMs = this.time.taskTokenTimeoutMs ?? DRILL_TIME.taskTokenTimeoutMs;
      if (request?.deliveredEarlier) {
        note('requested', `${request.requestId} (${request.level}) was already ${request.deliveredEarlier} when its own step's deadline passed: its verdict was delivered on this step, nobody else was asked`);
      } else if (request?.autoApproved) note('requested', `${request.requestId}: approved at once, recorded as auto-approved (${request.autoApprovedBecause ?? 'this environment needs no approver'})`);
      else if (request) {
        const escalated = request.level === 'L1' ? '' : `escalated to ${request.level} (the previous level let its deadline pass): `;
        note('requested', `${escalated}${request.requestId} at ${request.level}: one SNS message with a personal link each to ${request.approvers.join(', ')}; deadline ${request.deadline}`);
        if (this.servePages) {
          for (const m of this.approvalMessages(request.requestId)) this.servePages.onLink(m.approver, m.link, request.level);
          waitMs = Math.min(this.servePages.waitMs, Math.max(0, Date.parse(request.deadline) - Date.now()));
        } else await this.answer(request, note);
      }
      const outcome = await Promise.race([result, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), waitMs).unref())]);
      if (outcome === 'timeout') {
        tokens[token]!.status = 'timed-out';
        note('timed out', `no decision by the deadline at ${request?.level ?? '?'} (compressed to ${waitMs} ms)`);
        throw Object.assign(new Error('The task did not receive a result before its TimeoutSeconds'), { name: 'States.Timeout' });
      }
      if (outcome.kind === 'success') return JSON.parse(outcome.output) as unknown;
      throw Object.assign(new Error(outcome.cause), { name: outcome.error });
    } finally {
      this.waiters.delete(token);
    }
  };

  private approvalMessages(requestId: string): { approver: string; link: string }[] {
    return this.sandbox.published
      .filter((m) => m.topicArn === TOPIC_ARNS.approvals && m.messageAttributes.requestId?.value === requestId)
      // The approver's own link, in the email body their subscription receives, under the approval pages' URL:
      // the evidence the message quotes may hold other URLs.
      .map((m) => ({ approver: m.messageAttributes.approver?.value ?? '?', link: (deliveredAs(m, 'email').match(/https?:\/\/\S+/g) ?? []).find((url) => url.startsWith(this.pages.url)) ?? '' }));
  }

  /** The approvers, as people: a scanner pre-fetches every link, then each scripted approver opens their own and clicks. */
  private async answer(request: RequestResult, note: (event: ApprovalNote['event'], detail: string) => void): Promise<void> {
    const messages = this.approvalMessages(request.requestId);
    const statuses = [];
    for (const m of messages) statuses.push(...(await prefetchAsScanner(m.link)));
    const after = await this.approvals.get(request.requestId);
    note('scanned', `an email scanner fetched all ${messages.length} links (GET and HEAD: ${[...new Set(statuses)].join(', ')}): `
      + `${after?.status === 'open' ? 'nothing decided, the request is still open' : `request is ${after?.status ?? 'missing'} — a GET decided, which must never happen`}`);
    const mine = this.answers.flatMap((a) => messages.filter((x) => x.approver === a.approver).map((m) => ({ ...a, link: m.link })));
    if (this.decideTogether) return this.answerTogether(mine, messages.map((m) => m.link), note);
    for (const a of mine) {
      const r = await decideAsPerson(a.link, a.decision, `drill: ${a.approver} ${a.decision}s`);
      const clicked = a.decision === 'reject' ? 'Reject' : r.message.startsWith(`${a.approver}: acknowledged`) ? 'Acknowledge' : 'Approve';
      note('decided', `${a.approver} opened their link and clicked ${clicked}: HTTP ${r.status} ${r.message}`);
    }
  }

  /** Every scripted approver has their page open; all click at once, and a scanner fetches every link while the POSTs are in flight. */
  private async answerTogether(
    answers: readonly (ApproverAnswer & { link: string })[], links: readonly string[], note: (event: ApprovalNote['event'], detail: string) => void,
  ): Promise<void> {
    const pages = await Promise.all(answers.map((a) => openAsPerson(a.link)));
    const clicks = answers.map((a, i) => pages[i]!.submit?.(a.decision, `drill: ${a.approver} ${a.decision}s`) ?? Promise.resolve({ status: pages[i]!.status, message: pages[i]!.message }));
    let clicking = true;
    // The scanner keeps fetching every link, round after round, until the last click is answered.
    const scanning = (async () => {
      const statuses: number[] = [];
      for (let round = 0; round === 0 || (clicking && round < 20); round++) for (const l of links) statuses.push(...(await prefetchAsScanner(l)));
      return statuses;
    })();
    const results = await Promise.all(clicks);
    clicking = false;
    const scanned = await scanning;
    for (const [i, a] of answers.entries()) {
      note('decided', `${a.approver} clicked ${a.decision === 'approve' ? 'Approve' : 'Reject'} at the same moment as ${answers.length - 1} other(s): HTTP ${results[i]!.status} ${results[i]!.message}`);
    }
    note('scanned', `an email scanner fetched all ${links.length} links during the clicks (GET and HEAD: ${[...new Set(scanned)].join(', ')})`);
  }

  /**
   * Routes one input as the account would and runs whatever it starts, to the end; a run that fails
   * is heard by the execution-failure rule. With `thenRedrive`, the input's execution is then
   * redriven (RedriveExecution, as from the console), the faults not used up cleared first: an
   * operator redrives once the cause is gone.
   */
  async handle(input: DrillInput, options: { thenRedrive?: boolean } = {}): Promise<DrillResult> {
    const before = await this.snapshot();
    const auditsFrom = this.audits.length;
    const noticesFrom = this.ruleNotices.length;
    const marks = [this.mutationMark()];
    let executions: ExecutionRecord[] = [];
    let routing: { runbook: string | null; rejection?: string; failure?: string };
    let unrouted: string | undefined;
    let failure: string | undefined;
    if (input.kind === 'eventbridge') {
      // A manual start is no event a rule routes: `autopilot start` starts its runbook's state machine with it.
      const runbooks = isManualStart(input.event) ? this.manuallyStarted(input.event) : this.route(input.event);
      for (const name of runbooks) executions.push(await this.runExecution(this.executors.get(name)!, input.event, randomUUID()));
      // The tag router's rule matches every ALARM transition but those routed by name; it leaves metric-routed alarms alone.
      if (this.alarmRouter && matchesPattern(this.alarmRouter.pattern, input.event)) {
        const delivery = await this.deliverAsync(this.alarmRouter.fn, input.event, ALARM_ROUTER_RETRY_ATTEMPTS);
        executions.push(...(await Promise.all(this.pending.splice(0))));
        if ('error' in delivery) failure = `the tag router failed ${delivery.attempts} times (${delivery.error}); the event went to its dead-letter queue`;
        else {
          const routed = delivery.output as { routed?: boolean; reason?: string };
          if (!routed.routed && runbooks.length === 0 && routed.reason && routed.reason !== 'untagged') unrouted = `tag router: ${routed.reason}`;
        }
      }
      const names = [...new Set(executions.map((e) => e.stateMachineName))];
      const why = this.whyUnrouted(input.event);
      routing = names.length > 0 ? { runbook: names.join(',') }
        : failure ? { runbook: null, failure }
        : { runbook: null, rejection: unrouted ? `${why} (${unrouted})` : why };
    } else {
      const started = budgetRunbook(this.config)?.name;
      if (!this.budgetAdapter || !started) {
        const off = MODULES.find((m) => m.trigger?.kind === 'budget')?.name;
        routing = { runbook: null, rejection: `${off ? `${off} is disabled` : 'no runbook is started by AWS Budgets'}: nothing subscribes to budget notifications` };
      } else {
        const delivery = await this.deliverAsync(this.budgetAdapter, input.lambdaEvent, BUDGET_ADAPTER_RETRY_ATTEMPTS);
        executions = await Promise.all(this.pending.splice(0));
        const summary = ('output' in delivery ? delivery.output : {}) as AdapterSummary;
        const skipped = summary.skipped?.map((s) => s.reason).join('; ');
        routing = 'error' in delivery && executions.length === 0
          ? { runbook: started, failure: `the budget adapter failed ${delivery.attempts} times (${delivery.error}); the notification went to its dead-letter queue` }
          : executions.length > 0 || (summary.duplicates ?? 0) > 0
          ? { runbook: started, ...(executions.length === 0 ? { rejection: 'duplicate notification: its execution already exists' } : {}) }
          : { runbook: null, rejection: skipped || 'the budget adapter started nothing' };
      }
    }
    await this.hearFailures(executions);
    marks.push(this.mutationMark());
    const redrives: ExecutionRecord[] = [];
    let redriveRefused: string | undefined;
    const first = executions[0];
    if (options.thenRedrive && first) {
      this.clearFaults();
      const redrive = await this.redrive(first.executionArn);
      if ('refused' in redrive) redriveRefused = redrive.refused;
      else redrives.push(redrive.run);
      marks.push(this.mutationMark());
    }
    // The account's mutating calls during each run (the redrive request itself is the operator's).
    const runCalls = marks.slice(1).map((end, i) => this.mutationsReceived(marks[i], end));
    const after = await this.snapshot();
    const result = await buildResult({
      input, routing, executions, redrives, before, after,
      audits: this.audits.slice(auditsFrom),
      ledger: this.ledger,
      approvals: this.approvals,
      approvalNotes: this.approvalNotes,
      ruleNotices: this.ruleNotices.slice(noticesFrom),
      runCalls,
      ...(redriveRefused ? { redriveRefused } : {}),
      metrics: this.metricsOf(executions),
      watched: this.watchedBy(routing.runbook),
    });
    const scheduledAuditsFrom = this.audits.length;
    return this.withStartedUndo(result, await this.fireSchedules(), scheduledAuditsFrom);
  }

  /**
   * The scenario's clock: moves the sandbox clock on after a run, so the one-time schedules due by
   * then fire (EventBridge Scheduler starting a timed revert); returns the executions they started.
   */
  private async fireSchedules(): Promise<ExecutionRecord[]> {
    const minutes = this.clockAfterRunMinutes;
    if (minutes === undefined) return [];
    const fired = await this.sandbox.advanceClock(minutes * 60_000);
    return fired.length > 0 ? Promise.all(this.pending.splice(0)) : [];
  }

  /**
   * RedriveExecution through the sandbox's Step Functions, as the console or `aws stepfunctions
   * redrive-execution` sends it: AWS's rules decide (ExecutionNotRedrivable, ExecutionLimitExceeded,
   * ExecutionDoesNotExist), then the run goes from the failed state to its end, and a failure is
   * heard by the rule again.
   */
  async redrive(executionArn: string): Promise<{ run: ExecutionRecord } | { refused: string }> {
    const sfn = new SFNClient({});
    try {
      await sfn.send(new RedriveExecutionCommand({ executionArn }));
    } catch (e: unknown) {
      return { refused: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    } finally {
      sfn.destroy();
    }
    const started = this.redriving.splice(0);
    const runs = await Promise.all(started);
    const run = runs.find((r) => r.executionArn === executionArn);
    if (!run) throw new Error(`RedriveExecution accepted ${executionArn}, but no redrive ran`);
    await this.hearFailures([run]);
    return { run };
  }

  /** The sandbox accepted a redrive: run the execution again from its failed state (drill/executor.ts). */
  private startRedrive(executionArn: string): void {
    const previous = this.runs.get(executionArn)?.at(-1);
    const executor = previous && this.executorOf(previous.stateMachineName);
    if (!previous || !executor) throw new Error(`no recorded run of ${executionArn} to redrive`);
    this.redriving.push(executor.redrive(previous).then((run) => this.recordRun(run)));
  }

  /** What a runbook's runs are about besides their target (its module's drill.watches), for its results. */
  private watchedBy(runbook: string | null): string[] {
    const module = MODULES.find((m) => m.name === runbook);
    return module?.drill.watches?.(runbookConfig(this.config, module)) ?? [];
  }

  private executorOf(stateMachineName: string): DrillExecutor | undefined {
    return stateMachineName === UNDO_MACHINE ? this.undoExecutor : this.executors.get(stateMachineName);
  }

  /** Runs an execution as Step Functions would start it, recorded in the sandbox's Step Functions (status, history). */
  private async runExecution(executor: DrillExecutor, input: unknown, name: string): Promise<ExecutionRecord> {
    const executionArn = `${executor.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    this.sandbox.state.stepFunctions.executions[executionArn] ??= {
      stateMachineArn: executor.stateMachineArn, name, input: JSON.stringify(input), status: 'RUNNING', startDate: new Date().toISOString(), redriveCount: 0,
    };
    return this.recordRun(await executor.run(input, name));
  }

  /** A run ended: its status, error and events go to the sandbox's record of the execution. */
  private recordRun(run: ExecutionRecord): ExecutionRecord {
    this.runs.set(run.executionArn, [...(this.runs.get(run.executionArn) ?? []), run]);
    const known = this.sandbox.state.stepFunctions.executions[run.executionArn];
    if (known) {
      known.status = run.status;
      known.stopDate = new Date(run.endedAt).toISOString();
      known.redriveCount = run.redriveCount;
      if (run.status === 'SUCCEEDED') known.output = JSON.stringify(run.output ?? null);
      if (run.error) {
        known.error = run.error.Error;
        known.cause = run.error.Cause;
      }
      known.history = [...(known.history ?? []), ...historyOf(run, (known.history?.length ?? 0) + 1)];
    }
    return run;
  }

  /**
   * Step Functions sends each run's end to EventBridge; the execution-failure rule (the pattern
   * the stack deploys) invokes its notifier, asynchronously, retried as Lambda retries it.
   */
  private async hearFailures(runs: readonly ExecutionRecord[]): Promise<void> {
    if (!this.executionFailed) return;
    for (const run of runs) {
      const execution = this.sandbox.state.stepFunctions.executions[run.executionArn];
      if (!execution) continue;
      const event = statusChangeEvent(run, execution, this.sandbox.state.accountId, this.sandbox.state.region);
      if (!matchesPattern(this.executionFailed.pattern, event)) continue;
      const delivery = await this.deliverAsync(this.executionFailed.fn, event, EXECUTION_FAILED_RETRY_ATTEMPTS);
      this.ruleNotices.push({
        executionArn: run.executionArn, redriveCount: run.redriveCount, at: Date.now(),
        ...('output' in delivery ? { output: delivery.output as ExecutionFailedResult } : { error: `failed ${delivery.attempts} times (${delivery.error}); the event went to the dead-letter queue` }),
      });
    }
  }

  /**
   * Runs what the input's executions started (the guardrail's undo after a failed verification), or
   * what a schedule started when the clock moved on (a timed revert), and reports it beside the result.
   */
  private async withStartedUndo(result: DrillResult, scheduled: readonly ExecutionRecord[] = [], auditsFrom = this.audits.length): Promise<DrillResult> {
    for (const release of this.heldChildren.splice(0)) release();
    const started: ExecutionRecord[] = [...scheduled];
    while (this.children.length > 0) started.push(...(await Promise.all(this.children.splice(0))));
    const undo = started.find((e) => e.stateMachineName === UNDO_MACHINE);
    if (!undo) return result;
    const afterUndo = await this.snapshot();
    return { ...result, metrics: [...result.metrics, ...this.metricsOf([undo])], undo: await buildUndoResult({ result, execution: undo, afterUndo, audits: this.audits.slice(auditsFrom), ledger: this.ledger, approvalNotes: this.approvalNotes }) };
  }

  /** The metrics the handlers emitted for these executions (every run of each), in order. */
  private metricsOf(executions: readonly ExecutionRecord[]): EmittedMetric[] {
    return metricsOf(this.emitted, new Set(executions.map((e) => e.executionArn)));
  }

  /**
   * Runs the undo state machine for an incident, as `npm run undo -- <incident-id>` starts it,
   * in this sandbox.
   */
  async undo(incidentId: string, requestedBy = 'drill'): Promise<ExecutionRecord> {
    if (!this.undoExecutor) throw new Error('drill not started');
    return this.undoExecutor.run({ incidentId, requestedBy }, randomUUID());
  }

  /** Handles an input, then undoes its incident: the result says whether the touched resources are back to their starting state. */
  async handleThenUndo(input: DrillInput, options: { thenRedrive?: boolean } = {}): Promise<DrillResult> {
    const result = await this.handle(input, options);
    // The runbook undid its own change (not verified): that undo is the one to show.
    if (result.undo) return result;
    const auditsFrom = this.audits.length;
    const execution = result.incidentId ? await this.undo(result.incidentId) : null;
    const afterUndo = await this.snapshot();
    return { ...result, metrics: [...result.metrics, ...(execution ? this.metricsOf([execution]) : [])], undo: await buildUndoResult({ result, execution, afterUndo, audits: this.audits.slice(auditsFrom), ledger: this.ledger, approvalNotes: this.approvalNotes }) };
  }

  /**
   * Lambda's asynchronous invocation of a trigger function: a throw is retried (with the drill's
   * compressed pause), and after the last retry the event goes to the function's dead-letter queue.
   */
  private async deliverAsync(fn: DrillFunction, event: unknown, retryAttempts: number): Promise<{ output: unknown } | { error: string; attempts: number }> {
    let error = '';
    for (let attempt = 0; attempt <= retryAttempts; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, this.time.retryMs));
      try {
        return { output: await fn.handler(event, lambdaContext(fn)) };
      } catch (e: unknown) {
        error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    }
    return { error, attempts: retryAttempts + 1 };
  }

  /** Runbooks whose EventBridge rules (the same patterns the stack deploys: alarm rules and service-event rules) match the event. */
  route(event: unknown): string[] {
    const patterns = runbookRulePatterns(this.config, this.arns);
    return Object.entries(patterns).filter(([, list]) => list.some((p) => matchesPattern(p, event))).map(([runbook]) => runbook);
  }

  /** The runbook a manual start names, when this environment runs it. */
  private manuallyStarted(event: { detail?: { runbook?: unknown } }): string[] {
    const runbook = event.detail?.runbook;
    return typeof runbook === 'string' && this.executors.has(runbook) ? [runbook] : [];
  }

  private whyUnrouted(event: Record<string, unknown>): string {
    if (isManualStart(event)) return `a manual start of ${String(event.detail?.runbook)}, which this environment does not run (not a runbook, or not enabled)`;
    const detail = event.detail as { alarmName?: string; state?: { value?: string }; configuration?: { alarmRule?: string } } | undefined;
    if (event.source !== 'aws.cloudwatch' || event['detail-type'] !== 'CloudWatch Alarm State Change') {
      const heard = Object.values(runbookRulePatterns(this.config, this.arns)).flat()
        .some((p) => sameList(p.source, [event.source]) && sameList(p['detail-type'], [event['detail-type']]));
      return heard
        ? `no runbook routes this ${String(event['detail-type'])} event: its target, or its status or kind, is not one a rule filters for`
        : `no rule routes ${String(event['detail-type'])} events from ${String(event.source)}`;
    }
    if (detail?.state?.value !== 'ALARM') return `alarm ${detail?.alarmName ?? '?'} went to ${detail?.state?.value ?? '?'}, not ALARM: nothing to remediate`;
    if (detail.configuration?.alarmRule) return `composite alarm ${detail.alarmName ?? '?'} has no runbook-autopilot:runbook tag; no runbook routes it`;
    return `no runbook routes alarm ${detail.alarmName ?? '?'}: its metric or target is not configured`;
  }

  private async startExecution(stateMachineArn: string, name: string, input: string) {
    const executor = [...this.executors.values(), ...(this.undoExecutor ? [this.undoExecutor] : [])].find((e) => e.stateMachineArn === stateMachineArn);
    if (!executor) throw new Error(`unknown state machine ${stateMachineArn}`);
    const parsed = JSON.parse(input) as Record<string, unknown>;
    // Started by a running execution: held until the drill has recorded that execution's result
    // (in AWS they overlap; the runbook's only state after the start is Succeed).
    const child = typeof parsed.AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID === 'string';
    const held = child ? new Promise<void>((release) => this.heldChildren.push(release)) : Promise.resolve();
    // Closed executions refuse a second start with the same name, as Step Functions does (the recorder closes them).
    const run = held.then(() => executor.run(parsed, name)).then((record) => this.recordRun(record));
    (child ? this.children : this.pending).push(run);
    return { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: new Date() };
  }

  /**
   * The mutating calls the account received since `mark` (from the start when absent; up to `until`): the
   * sandbox's, then the target tables' (never the ledger's, nor an operator's RedriveExecution of a runbook's execution), each in arrival order.
   */
  mutationsReceived(since: MutationMark = { sandbox: 0, tables: 0 }, until?: MutationMark): MutationReceived[] {
    // A redrive is the operator's request, and a report the stack's own record: neither is a change a runbook made.
    const sandbox = this.sandbox.calls.filter((c) => c.mutating).slice(since.sandbox, until?.sandbox).filter((c) => !operatorRedrive(c, this.sandbox.state) && !ownRecord(c)).map((c) => ({
      service: c.service, operation: c.operation, input: c.input,
      // An injected or modelled error refused it, except a lost answer after the call was applied.
      applied: c.error === undefined || (c.error.code === 'TimeoutError' && c.error.message.includes('(the call was applied)')),
    }));
    return [...sandbox, ...this.dynamoMutations().slice(since.tables, until?.tables).map((m) => ({ service: 'dynamodb', ...m }))];
  }

  /**
   * Every AWS call the drill's functions made, with the function that made it (drill/callers.ts):
   * the sandbox's calls, then DynamoDB's (the ledger's included), each in arrival order.
   */
  callsReceived(since: CallsMark = { sandbox: 0, dynamodb: 0 }): AwsCallReceived[] {
    return [
      ...this.sandbox.calls.slice(since.sandbox).map((c) => ({ service: c.service as string, operation: c.operation, input: c.input, ...(c.caller ? { caller: c.caller } : {}) })),
      ...this.dynamoCalls().slice(since.dynamodb).map((c) => ({
        service: 'dynamodb', operation: c.operation,
        input: { ...(c.tables.length === 1 ? { TableName: c.tables[0] } : { Tables: c.tables }), ...(c.arn ? { Arn: c.arn } : {}) },
        ...(c.caller ? { caller: c.caller } : {}),
      })),
    ];
  }

  /** Where the lists of calls stand now, for callsReceived(since). */
  callsMark(): CallsMark {
    return { sandbox: this.sandbox.calls.length, dynamodb: this.dynamoCalls().length };
  }

  /** Where the lists of mutating calls stand now, for mutationsReceived(since). */
  mutationMark(): MutationMark {
    return { sandbox: this.sandbox.calls.filter((c) => c.mutating).length, tables: this.dynamoMutations().length };
  }

  /** Every incident report in the report bucket (its current version), by key, oldest key first: what `--report DIR` writes out. */
  reports(): { key: string; body: string }[] {
    const objects = this.sandbox.state.s3?.buckets[REPORT_BUCKET]?.objects ?? {};
    return Object.entries(objects).filter(([key]) => key.startsWith(REPORT_PREFIX)).sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([key, versions]) => (versions.length > 0 ? [{ key, body: versions[versions.length - 1]!.body }] : []));
  }

  /** A client of the drill's DynamoDB itself, past the proxy (no faults, no audit): a person's own change to a table. */
  get directDynamo(): DynamoDBClient {
    return this.dynamo;
  }

  private async checkAudit(operation: string, target: string): Promise<void> {
    const out = await this.dynamo.send(new ScanCommand({ TableName: LEDGER_TABLE, ConsistentRead: true }));
    const rows = (out.Items ?? []).map((i) => unmarshall(i) as Partial<ActionRecord> & { sk?: string });
    const intent = rows.find((r) => r.sk?.startsWith('ACTION#') && r.status === 'intent' && r.operation === operation && (r.target === target || namedBy(r.parameters) === target));
    // Audited under the row's target: a call naming a schedule or a family is its row's, whose target is the service.
    this.audits.push({ operation, target: intent?.target ?? target, intentRecorded: intent !== undefined });
    await this.onMutation?.(operation, target);
  }

  /** A table's billing mode and status as dynalite holds them (alarms on the table follow them). */
  async tableView(name: string): Promise<{ billingMode: string; status: string } | undefined> {
    try {
      const table = (await this.dynamo.send(new DescribeTableCommand({ TableName: name }))).Table;
      return { billingMode: table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED', status: table?.TableStatus ?? 'UNKNOWN' };
    } catch (e: unknown) {
      if (e instanceof ResourceNotFoundException) return undefined;
      throw e;
    }
  }

  /** The modelled resources, plus the DynamoDB target tables as dynalite describes them. */
  async snapshot(): Promise<Record<string, unknown>> {
    const view: Record<string, unknown> = { ...this.sandbox.snapshot() };
    const tables = MODULES.flatMap((m) => m.drill.tables?.(runbookConfig(this.config, m)) ?? []);
    for (const tableName of tables) {
      try {
        const table = (await this.dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table;
        view[tableName] = {
          billingMode: table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
          tableStatus: table?.TableStatus,
          readCapacityUnits: table?.ProvisionedThroughput?.ReadCapacityUnits ?? null,
          writeCapacityUnits: table?.ProvisionedThroughput?.WriteCapacityUnits ?? null,
          // The item count and a digest of the items, so a deletion (and a restore) shows as a change of the table.
          ...(await tableItems(this.dynamo, tableName)),
        };
      } catch (e: unknown) {
        // A deleted table shows as null; any other failure is the drill's own and is raised.
        if (!(e instanceof ResourceNotFoundException)) throw e;
        view[tableName] = null;
      }
    }
    return view;
  }

  /** The ledger and the switches as the drill leaves them, for `autopilot --local` (drill/kept-state.ts). */
  async keptState(): Promise<KeptState> {
    const names = switchParameters(this.config);
    const value = (parameter: string) => ({ parameter, value: this.sandbox.state.ssm.parameters[parameter]?.value ?? null });
    return {
      version: 1, writtenAt: new Date().toISOString(), environment: this.config.environment, region: this.config.region,
      account: this.sandbox.state.accountId, ledgerTable: LEDGER_TABLE,
      switches: { automation: value(names.automation), runbooks: Object.fromEntries(Object.entries(names.runbooks).map(([r, p]) => [r, value(p)])) },
      ledger: await scanItems(this.dynamo, LEDGER_TABLE),
    };
  }

  async close(): Promise<void> {
    for (const release of this.heldChildren.splice(0)) release();
    await Promise.allSettled([...this.pending, ...this.children]);
    // Every resource is closed even when one fails to; the failures are raised together after.
    const failures: unknown[] = [];
    for (const close of this.closers) await close().catch((e: unknown) => failures.push(e));
    if (failures.length > 0) throw new AggregateError(failures, `the drill could not close ${failures.length} of its resources: ${failures.map(String).join('; ')}`);
  }
}

interface AdapterSummary {
  started?: string[];
  duplicates?: number;
  skipped?: { reason: string }[];
}

/** A pattern's list of values holds every value given (a pattern's source or detail-type). */
function sameList(values: unknown, wanted: readonly unknown[]): boolean {
  return Array.isArray(values) && wanted.every((w) => values.includes(w));
}

function auditTarget(service: string, input: Readonly<Record<string, unknown>>): string {
  // An alias is its own target ("function:alias"), as the runbooks' ledger rows name it.
  if (service === 'lambda') return input.Name === undefined ? String(input.FunctionName ?? '') : `${String(input.FunctionName ?? '')}:${String(input.Name)}`;
  // A task definition registered for a service: its row's target is the service, its parameters name the family.
  if (service === 'ecs' && typeof input.family === 'string') return input.family;
  if (service === 'ecs') return `${String(input.cluster ?? '')}/${String(input.service ?? '')}`;
  // A schedule made or deleted for a service (a timed revert): its row's target is the service, its parameters name the schedule.
  if (service === 'scheduler') return String(input.Name ?? '');
  if (service === 'ssm') return String(input.Name ?? '');
  // A start names the execution it makes by its state machine and name, as the runbooks' ledger rows do.
  if (service === 'states' && input.executionArn === undefined && typeof input.stateMachineArn === 'string' && typeof input.name === 'string') {
    return `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`;
  }
  if (service === 'states') return String(input.executionArn ?? '');
  // An ECS service's scalable target (service/CLUSTER/SERVICE), keyed as the service is.
  if (service === 'application-autoscaling') return String(input.ResourceId ?? '').replace(/^service\//, '');
  // An access key is changed on its user, as the ledger rows name it (the key is in the call's parameters).
  if (service === 'iam') return String(input.UserName ?? '');
  // A gateway by the identifier its path names.
  if (service === 'bedrock-agentcore') return String(input.gatewayIdentifier ?? '');
  return '';
}

/** The resource a row's call names besides its target (a schedule's Name, a task definition's family), where the target is what it is for. */
function namedBy(parameters: unknown): string | undefined {
  const p = parameters as { Name?: unknown; family?: unknown } | null | undefined;
  return typeof p?.Name === 'string' ? p.Name : typeof p?.family === 'string' ? p.family : undefined;
}

/**
 * A RedriveExecution of one of this system's own executions: the operator's (the console's
 * Redrive, the drill's --then-redrive), not a change a runbook made. A runbook's redrive of a
 * workflow it watches is audited like any change.
 */
function operatorRedrive(call: { operation: string; input: Readonly<Record<string, unknown>> }, state: AccountState): boolean {
  if (call.operation !== 'RedriveExecution') return false;
  const machine = state.stepFunctions.executions[String(call.input.executionArn ?? '')]?.stateMachineArn;
  return machine !== undefined && state.stepFunctions.stateMachines[machine]?.tags?.[OWN_STATE_MACHINE_TAG] !== undefined;
}

/** The stack writing an incident's report to its own bucket: its record, not a change of the account a runbook made. */
export function ownRecord(call: { service: string; operation: string; input: Readonly<Record<string, unknown>> }): boolean {
  return call.service === 's3' && call.operation === 'PutObject' && call.input.Bucket === REPORT_BUCKET;
}

/** Each machine by the name the stack gives it (the router and runbooks that start the undo find them by it). */
function machineArnOf(config: EnvironmentConfig, account: string, name: string): string {
  return `arn:aws:states:${config.region}:${account}:stateMachine:${stateMachineNameOf(config.environment, name)}`;
}

/** The ledger, keyed as the stack's table is. */
async function createLedgerTable(dynamo: DynamoDBClient): Promise<void> {
  await dynamo.send(new CreateTableCommand({
    TableName: LEDGER_TABLE, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: LEDGER_PARTITION_KEY, AttributeType: 'S' }, { AttributeName: LEDGER_SORT_KEY, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: LEDGER_PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: LEDGER_SORT_KEY, KeyType: 'RANGE' }],
  }));
  await untilActive(dynamo, LEDGER_TABLE);
}

/**
 * The drill's three ports (the sandbox, the DynamoDB proxy, the approval pages), opened once per
 * process and taken by one drill after another: the handlers' SDK clients keep the endpoints they
 * first resolved, so every drill of a process answers on the same ones (drill/sandbox/listen.ts).
 */
let ports: Promise<{ sandbox: SharedPort; dynamodb: SharedPort; pages: SharedPort }> | undefined;
function drillPorts() {
  ports ??= Promise.all([SharedPort.open(), SharedPort.open(), SharedPort.open()]).then(([sandbox, dynamodb, pages]) => ({ sandbox, dynamodb, pages }));
  return ports;
}

/**
 * Closes the process's drill ports once no drill holds them, for a host that is done with this
 * copy of the drill while its process goes on (Jest loads a copy per test file: test/support/
 * environment.ts). The ports never keep a process alive, so left open they would stay, each holding
 * everything the copy loaded. A drill started after this opens new ones.
 */
export async function releaseDrillPorts(): Promise<void> {
  if (!ports) return;
  await SharedPort.closeAll(Object.values(await ports));
  ports = undefined;
}
