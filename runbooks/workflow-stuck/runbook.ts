/**
 * workflow-stuck (seed 004 "Workflow Stuck/Failed: check Step Functions history, trace via
 * DynamoDB"): a configured Standard workflow's execution that failed, timed out or was aborted is
 * diagnosed from its history (the state that failed, its error and cause) and, once approved,
 * redriven from that state, at most a configured number of times per execution. Never one of this
 * system's own state machines, whatever the config says. A redrive has no inverse: no undo.
 */
import { z } from 'zod';
import { gatePolicy, resourceName, runbookBase } from '../config';
import { json, type Arns, type HandlerDef, type Permission } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';

const config = z.strictObject({
  ...runbookBase,
  /** The Standard workflows whose failed executions it answers, by state machine name. */
  targets: z.array(z.strictObject({ stateMachineName: resourceName })).min(1),
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
/** Reading a configured machine's tags: its own are refused (lambdas/domain/own-resources.ts). */
const tagRead = (c: WorkflowStuckConfig, arns: Arns): Permission => ({ actions: ['states:ListTagsForResource'], resources: machines(c, arns) });

export default defineRunbook({
  name: 'workflow-stuck',
  answers: ['failed-workflow'],
  config,
  targets: machineNames,
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
  approvalPage: {
    permissions: ({ config: c, arns }) => [{ actions: ['states:DescribeExecution'], resources: executions(c, arns) }],
  },
  nag: ({ config: c, arns }) => machineNames(c).map((name) => ({
    id: `AwsSolutions-IAM5[Resource::${arns.executions(name)}]`,
    reason: `workflow-stuck reads (states:DescribeExecution, states:GetExecutionHistory) and redrives (states:RedriveExecution, as approved, capped per execution) the failed executions of ${name}; IAM names an execution by its state machine and its name, and which execution fails is known only at run time.`,
  })),
  drill: {
    event: 'events/workflow-stuck.event.json',
    scenarios: ['drill/scenarios/backtest-not-redrivable.json', 'drill/scenarios/backtest-own-state-machine.json'],
    changes: { 'states:RedriveExecution': { fields: ['status', 'redriveCount'], note: 'a redrive has no inverse: the run it started cannot be taken back' } },
    // admit -> execution, tags, history pages -> approval (auto here) -> re-read, tags, redrive -> watch -> notify
    calls: [
      { call: 'ssm:GetParameter', state: 'Admit: dedupe, allowlist, switches, cooldown' },
      { call: 'states:DescribeExecution', state: 'Read the failed execution' },
      { call: 'states:ListTagsForResource', state: 'Read the failed execution' },
      { call: 'states:GetExecutionHistory', state: 'Read the failed execution' },
      { call: 'states:RedriveExecution', state: 'Redrive the execution', mutates: true },
      { call: 'sns:Publish', state: 'Notify remediated' },
    ],
  },
});
