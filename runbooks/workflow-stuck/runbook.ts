/**
 * workflow-stuck (seed 004 "Workflow Stuck/Failed: check Step Functions history, trace via
 * DynamoDB"): a configured Standard workflow's execution that failed, timed out or was aborted is
 * diagnosed from its history (the state that failed, its error and cause) and, once approved,
 * redriven from that state, at most a configured number of times per execution. Never one of this
 * system's own state machines, whatever the config says. A redrive has no inverse: no undo. An
 * alarm on a workflow's ExecutionTime (maxExecutionMinutes) is answered by telling which
 * executions still run past the limit and in which state: a running execution is not failed, so
 * not redrivable, and none is stopped.
 */
import { z } from 'zod';
import { gatePolicy, resourceName, runbookBase } from '../config';
import { json, scoped, type Arns, type HandlerDef, type Permission } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';

const config = z.strictObject({
  ...runbookBase,
  /**
   * The Standard workflows whose failed executions it answers, by state machine name; with
   * maxExecutionMinutes, the stack also alarms on its ExecutionTime past that, and the runbook then
   * tells which executions run too long (it stops none).
   */
  targets: z.array(z.strictObject({ stateMachineName: resourceName, maxExecutionMinutes: z.number().int().min(1).max(365 * 24 * 60).optional() })).min(1),
  redrive: z.strictObject({
    /** Redrives of one execution by this runbook, across its failures (each redriven run that fails again is a new event). */
    maxPerExecution: z.number().int().min(1).max(10).default(2),
    approval: gatePolicy.default({ severity: 'P2', onTimeout: 'abort' }),
  }).default({ maxPerExecution: 2, approval: { severity: 'P2', onTimeout: 'abort' } }),
  /** Reading the history newest first, a page at a time, down to the state that failed. */
  history: z.strictObject({
    pageSize: z.number().int().min(1).max(1000).default(100),
    maxPages: z.number().int().min(1).max(50).default(10),
  }).default({ pageSize: 100, maxPages: 10 }),
  /** Watching the redriven run after the redrive (bounded: a long workflow's own status events tell its end). */
  watch: z.strictObject({
    pollSeconds: z.number().int().min(5).max(300).default(30),
    timeoutMinutes: z.number().int().min(1).max(120).default(30),
  }).default({ pollSeconds: 30, timeoutMinutes: 30 }),
});
export type WorkflowStuckConfig = z.infer<typeof config>;

const machineNames = (c: WorkflowStuckConfig) => c.targets.map((t) => t.stateMachineName);
const machines = (c: WorkflowStuckConfig, arns: Arns) => machineNames(c).map((name) => arns.stateMachine(name));
const executions = (c: WorkflowStuckConfig, arns: Arns) => machineNames(c).map((name) => arns.executions(name));
const watched = (c: WorkflowStuckConfig) => c.targets.flatMap((t) => (t.maxExecutionMinutes === undefined ? [] : [{ name: t.stateMachineName, minutes: t.maxExecutionMinutes }]));
/** Reading a configured machine's tags: its own are refused (lambdas/domain/own-resources.ts). */
const tagRead = (c: WorkflowStuckConfig, arns: Arns): Permission => ({ actions: ['states:ListTagsForResource'], resources: machines(c, arns) });

export default defineRunbook({
  name: 'workflow-stuck',
  answers: ['failed-workflow'],
  config,
  targets: machineNames,
  trigger: {
    kind: 'alarm',
    // AWS/States publishes ExecutionTime when an execution closes, named by the state machine's ARN; config names it by name.
    route: {
      selectors: [{ namespaces: ['AWS/States'], metricNames: ['ExecutionTime'], alarmedMetricOnly: false }],
      targetDimensions: ['StateMachineArn'], targetPattern: '^arn:[a-z-]+:states:[a-z0-9-]+:\\d{12}:stateMachine:([A-Za-z0-9_-]+)$',
    },
    dimensions: (c, arns) => watched(c).map((t) => ({ StateMachineArn: arns.stateMachine(t.name) })),
  },
  events: {
    kind: 'event',
    routes: [{ event: 'sfn-execution-status', detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'] } }],
    targetValues: ({ config: c, arns }) => machines(c, arns),
  },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({ RedriveApprovalTimeoutSeconds: String(deadlineSeconds(c.redrive.approval.severity)) }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    const allowed = { ALLOWED_TARGETS: json(machineNames(c)), MAX_REDRIVES: String(c.redrive.maxPerExecution) };
    return [
      {
        id: 'WorkflowStuckInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/workflow-stuck/handlers/inspect.ts', usesLedger: true,
        description: 'workflow-stuck: read the failed execution, its history down to the failed state, and its redrives so far',
        environment: { ...allowed, HISTORY_PAGE_SIZE: String(c.history.pageSize), HISTORY_MAX_PAGES: String(c.history.maxPages) },
        permissions: [{ actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], resources: executions(c, arns) }, tagRead(c, arns)],
      },
      {
        id: 'WorkflowStuckLongRunning', substitution: 'LongRunningFunctionArn', entry: 'runbooks/workflow-stuck/handlers/long-running.ts', usesLedger: false,
        description: 'workflow-stuck: read the executions that run past the limit, and the state each is in',
        environment: {
          ALLOWED_TARGETS: json(machineNames(c)), HISTORY_PAGE_SIZE: String(c.history.pageSize),
          EXECUTION_LIMITS: json(Object.fromEntries(watched(c).map((t) => [t.name, { stateMachineArn: arns.stateMachine(t.name), minutes: t.minutes }]))),
        },
        permissions: scoped([
          { actions: ['states:ListExecutions'], resources: watched(c).map((t) => arns.stateMachine(t.name)) },
          { actions: ['states:GetExecutionHistory'], resources: watched(c).map((t) => arns.executions(t.name)) },
        ]),
      },
      ctx.approvalRequest('WorkflowStuckApprovalRequest'),
      {
        id: 'WorkflowStuckRedrive', substitution: 'RedriveFunctionArn', entry: 'runbooks/workflow-stuck/handlers/redrive.ts', usesLedger: true,
        description: 'workflow-stuck: redrive the failed execution, as approved, within the per-execution cap',
        environment: { ...allowed, REDRIVE_ON_TIMEOUT: c.redrive.approval.onTimeout },
        permissions: [{ actions: ['states:DescribeExecution', 'states:RedriveExecution'], resources: executions(c, arns) }, tagRead(c, arns)],
      },
      {
        id: 'WorkflowStuckCheck', substitution: 'CheckFunctionArn', entry: 'runbooks/workflow-stuck/handlers/check.ts', usesLedger: false,
        description: 'workflow-stuck: watch the redriven run',
        environment: { POLL_SECONDS: String(c.watch.pollSeconds), WATCH_TIMEOUT_SECONDS: String(c.watch.timeoutMinutes * 60) },
        permissions: [{ actions: ['states:DescribeExecution'], resources: executions(c, arns) }],
      },
    ];
  },
  gates: [{ step: 'redrive', policyAt: ['redrive', 'approval'] }],
  alarms: (c, arns) => watched(c).map((t) => ({
    id: `${t.name}-execution-time`,
    description: `Seed 004 "Workflow Stuck": an execution of ${t.name} ran longer than ${t.minutes} min (ExecutionTime is published when it closes). Starts workflow-stuck, which tells the executions still running past it.`,
    metric: { namespace: 'AWS/States', metricName: 'ExecutionTime', dimensions: { StateMachineArn: arns.stateMachine(t.name) }, statistic: 'Maximum', periodMinutes: 5 },
    threshold: t.minutes * 60_000,
    comparison: 'GreaterThanThreshold', evaluationPeriods: 1, treatMissingData: 'notBreaching',
  })),
  approvalPage: {
    permissions: ({ config: c, arns }) => [{ actions: ['states:DescribeExecution'], resources: executions(c, arns) }],
  },
  nag: ({ config: c, arns }) => machineNames(c).map((name) => ({
    id: `AwsSolutions-IAM5[Resource::${arns.executions(name)}]`,
    reason: `workflow-stuck reads (states:DescribeExecution, states:GetExecutionHistory) and redrives (states:RedriveExecution, as approved, capped per execution) the failed executions of ${name}; IAM names an execution by its state machine and its name, and which execution fails is known only at run time.`,
  })),
  drill: {
    event: 'events/workflow-stuck.event.json',
    // The ExecutionTime alarm: backtest-2026-12-06 still runs, 9 hours in.
    samples: ['events/samples/workflow-stuck-execution-time.alarm.json'],
    scenarios: ['drill/scenarios/backtest-not-redrivable.json', 'drill/scenarios/backtest-own-state-machine.json'],
    changes: { 'states:RedriveExecution': { fields: ['status', 'redriveCount'], note: 'a redrive has no inverse: the run it started cannot be taken back' } },
    // admit -> execution, tags, history pages -> approval (auto here) -> re-read, tags, redrive -> watch -> notify
    calls: [
      { call: 'states:DescribeExecution', state: 'Read the failed execution' },
      { call: 'states:ListTagsForResource', state: 'Read the failed execution' },
      { call: 'states:GetExecutionHistory', state: 'Read the failed execution' },
      { call: 'states:RedriveExecution', state: 'Redrive the execution', mutates: true },
      { call: 'sns:Publish', state: 'Notify remediated' },
    ],
  },
});
