/**
 * The fault matrix: every AWS call each runbook's handlers make (admit, the runbook's own
 * handlers, notify, and for llm-budget-guardrail the budget adapter), in the order a run reaches
 * them, and the drill runs that cover each (runbook, call, kind).
 *
 * A `--fault` fails the next N calls of an operation, whoever makes them, so a call made at
 * several points of a run (lambda:GetFunction in diagnose, before the stop and in verify) is
 * failed where the run first reaches it.
 */

export const RUNBOOKS = ['lambda-runaway', 'dynamodb-throttling', 'ecs-service-recovery', 'llm-budget-guardrail'] as const;
export type Runbook = (typeof RUNBOOKS)[number];

export const KINDS = ['throttling', 'access-denied', 'not-found', 'server-error', 'timeout'] as const;
export type Kind = (typeof KINDS)[number];

/** Kinds the SDK and the state machines retry: a short burst of them must not change the outcome. */
export const RETRIED_KINDS = ['throttling', 'server-error', 'timeout'] as const satisfies readonly Kind[];

export type Call =
  | 'ssm:GetParameter' | 'ssm:PutParameter'
  | 'lambda:GetFunction' | 'lambda:PutFunctionConcurrency'
  | 'dynamodb:DescribeTable' | 'dynamodb:UpdateTable'
  | 'ecs:DescribeServices' | 'ecs:ListTasks' | 'ecs:DescribeTasks' | 'ecs:UpdateService'
  | 'ce:GetCostAndUsage' | 'states:StartExecution' | 'sns:Publish'
  | 'events:ListRuleNamesByTarget' | 'events:DescribeRule' | 'lambda:GetPolicy' | 's3:GetBucketNotificationConfiguration' | 'lambda:ListEventSourceMappings'
  | 'dynamodb:Scan' | 'dynamodb:ListBackups' | 'dynamodb:CreateBackup' | 'dynamodb:DescribeBackup' | 'cloudwatch:DescribeAlarms';

/** Each runbook's AWS calls, in the order its recorded event reaches them. */
export const CALLS: Readonly<Record<Runbook, readonly Call[]>> = {
  // admit (switches) -> inspect -> stop (reads, then puts) -> verify stopped -> alarm back to OK? -> what invokes it (rules, policy -> buckets, mappings) -> notify
  'lambda-runaway': [
    'ssm:GetParameter', 'lambda:GetFunction', 'lambda:PutFunctionConcurrency', 'cloudwatch:DescribeAlarms',
    'events:ListRuleNamesByTarget', 'events:DescribeRule', 'lambda:GetPolicy', 's3:GetBucketNotificationConfiguration', 'lambda:ListEventSourceMappings',
    'sns:Publish',
  ],
  // admit -> describe -> switch -> poll for ACTIVE -> alarm back to OK? -> count stuck tasks -> backup (an earlier one? then create) -> poll the backup -> approval (auto here) -> delete -> notify
  // (the drill's dynamodb faults reach the table API; the recorded event's table holds stuck tasks)
  'dynamodb-throttling': ['ssm:GetParameter', 'dynamodb:DescribeTable', 'dynamodb:UpdateTable', 'cloudwatch:DescribeAlarms', 'dynamodb:Scan', 'dynamodb:ListBackups', 'dynamodb:CreateBackup', 'dynamodb:DescribeBackup', 'sns:Publish'],
  // admit -> service, stopped tasks and their reasons -> forced deployment -> rollout polls -> alarm back to OK? -> notify
  'ecs-service-recovery': ['ssm:GetParameter', 'ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks', 'ecs:UpdateService', 'cloudwatch:DescribeAlarms', 'sns:Publish'],
  // budget adapter -> admit -> cost + model preference -> switch -> redeploy proxy -> verify (parameter, proxy) -> notify -> wait -> restore -> redeploy -> notify
  'llm-budget-guardrail': ['states:StartExecution', 'ssm:GetParameter', 'ce:GetCostAndUsage', 'ssm:PutParameter', 'ecs:DescribeServices', 'ecs:UpdateService', 'sns:Publish'],
};

/** The state that makes a call where the run first reaches it (a budget adapter call has none). */
export const STATE_OF: Readonly<Record<Runbook, Partial<Record<Call, string>>>> = {
  'lambda-runaway': {
    'ssm:GetParameter': 'Admit: dedupe, allowlist, switches, cooldown',
    'lambda:GetFunction': 'Read function concurrency',
    'lambda:PutFunctionConcurrency': 'Stop function: reserved concurrency 0',
    'events:ListRuleNamesByTarget': 'Find what invokes the function',
    'events:DescribeRule': 'Find what invokes the function',
    'lambda:GetPolicy': 'Find what invokes the function',
    's3:GetBucketNotificationConfiguration': 'Find what invokes the function',
    'lambda:ListEventSourceMappings': 'Find what invokes the function',
    'cloudwatch:DescribeAlarms': 'Check alarm state',
    'sns:Publish': 'Notify remediated',
  },
  'dynamodb-throttling': {
    'ssm:GetParameter': 'Admit: dedupe, allowlist, switches, cooldown',
    'dynamodb:DescribeTable': 'Describe table',
    'dynamodb:UpdateTable': 'Switch to on-demand',
    'dynamodb:Scan': 'Count stuck tasks',
    'dynamodb:ListBackups': 'Back up the tasks table',
    'dynamodb:CreateBackup': 'Back up the tasks table',
    'dynamodb:DescribeBackup': 'Check backup status',
    'cloudwatch:DescribeAlarms': 'Check alarm state',
    'sns:Publish': 'Notify stuck tasks deleted',
  },
  'ecs-service-recovery': {
    'ssm:GetParameter': 'Admit: dedupe, allowlist, switches, cooldown',
    'ecs:DescribeServices': 'Read service events and stopped tasks',
    'ecs:ListTasks': 'Read service events and stopped tasks',
    'ecs:DescribeTasks': 'Read service events and stopped tasks',
    'ecs:UpdateService': 'Force new deployment',
    'cloudwatch:DescribeAlarms': 'Check alarm state',
    'sns:Publish': 'Notify remediated',
  },
  'llm-budget-guardrail': {
    'ssm:GetParameter': 'Admit: dedupe, allowlist, switches, cooldown',
    'ce:GetCostAndUsage': 'Check Bedrock spend',
    'ssm:PutParameter': 'Switch model preference',
    'ecs:DescribeServices': 'Redeploy agent proxy',
    'ecs:UpdateService': 'Redeploy agent proxy',
    'sns:Publish': 'Notify model switched',
  },
};

/** Far more failures than any run can consume: the call never succeeds. */
export const PERSISTENT = 500;
/** More failures than the SDK's three attempts, so the state machine's Retry must act too. */
export const BURST = 4;

/**
 * Calls failed together in one persistent run. Faults are global to a run, so each group puts
 * at most one call on the path of each runbook before the others (the first one the runbook
 * reaches is the call under test); a call several runbooks make is failed for all of them.
 */
export const PERSISTENT_GROUPS: readonly (readonly Call[])[] = [
  ['ssm:GetParameter'],
  ['sns:Publish'],
  ['ecs:DescribeServices', 'lambda:GetFunction', 'dynamodb:DescribeTable'],
  ['ecs:UpdateService', 'lambda:PutFunctionConcurrency', 'dynamodb:UpdateTable'],
  ['ecs:ListTasks', 'states:StartExecution'],
  ['ecs:DescribeTasks', 'ce:GetCostAndUsage'],
  ['ssm:PutParameter'],
  ['events:ListRuleNamesByTarget', 'dynamodb:Scan'],
  ['events:DescribeRule', 'dynamodb:CreateBackup'],
  ['lambda:GetPolicy', 'dynamodb:DescribeBackup'],
  ['s3:GetBucketNotificationConfiguration', 'dynamodb:ListBackups'],
  ['lambda:ListEventSourceMappings'],
  ['cloudwatch:DescribeAlarms'],
];

export interface Cell {
  readonly runbook: Runbook;
  readonly call: Call;
}

/** The runbooks a group's run replays, each with the call under test: the first failed call on its path. */
export function cellsOf(group: readonly Call[]): Cell[] {
  return RUNBOOKS.flatMap((runbook) => {
    const call = CALLS[runbook].find((c) => group.includes(c));
    return call ? [{ runbook, call }] : [];
  });
}

/** The calls that change something: the SDK sends them again only when throttled (lambdas/shared/mutation-client.ts). */
const MUTATIONS: ReadonlySet<Call> = new Set<Call>(['lambda:PutFunctionConcurrency', 'dynamodb:UpdateTable', 'dynamodb:CreateBackup', 'ecs:UpdateService', 'ssm:PutParameter']);

/**
 * A burst that outlasts the SDK's own retries of the call. Admit reads its two switches in
 * parallel, so both reads must use up their three attempts before the state machine retries.
 * A mutation's 5xx or timeout may follow a call that took effect, so the SDK does not send it
 * again: each is one retry of the state machine (which reads the target first), and the step's
 * own read, failed in the same burst, takes one more; three leave the step its last attempt.
 */
export const burstOf = (call: Call, kind: Kind): number => {
  if (call === 'ssm:GetParameter') return 2 * 3;
  return MUTATIONS.has(call) && kind !== 'throttling' ? BURST - 1 : BURST;
};

export const faultArgs = (calls: readonly Call[], kind: Kind, times: (call: Call, kind: Kind) => number): string[] =>
  calls.flatMap((call) => ['--fault', `${call}=${kind}x${times(call, kind)}`]);

export type Outcome = 'remediated' | 'skipped' | 'escalated' | 'failed';

/**
 * Reads made after the change, for the notification only (lambda-runaway's invoker evidence):
 * when they fail for good the change stands and the runbook notifies with "evidence unavailable".
 */
export const BEST_EFFORT: ReadonlySet<Call> = new Set<Call>([
  'events:ListRuleNamesByTarget', 'events:DescribeRule', 'lambda:GetPolicy', 's3:GetBucketNotificationConfiguration', 'lambda:ListEventSourceMappings',
]);

/** A best-effort read that fails for good is reported, except a missing function policy, which means "no S3 invoker". */
export const reportsUnavailable = (call: Call, kind: Kind): boolean => BEST_EFFORT.has(call) && !(call === 'lambda:GetPolicy' && kind === 'not-found');

export interface Expected {
  readonly outcome: Outcome;
  /** The topic of the last notification; null when none can be sent. */
  readonly topic: 'critical' | 'info' | null;
}

/**
 * What a run ends as when the call never succeeds.
 * - The notification itself failing: nothing can be sent; the execution fails.
 * - The budget adapter failing: no execution starts; after Lambda's retries the notification
 *   goes to the adapter's dead-letter queue.
 * - Not found means the target is gone (escalated), except a missing switch, which holds the
 *   runbook (switches fail closed), and Cost Explorer's DataUnavailableException, which is not
 *   about the target.
 * - The verify step's DescribeAlarms never answers not found (an unknown name is an empty list),
 *   so an injected one is an unexpected error: a failure, escalated like the rest.
 * - Anything else (throttling, 5xx, timeouts after every retry, access denied) is recorded as a
 *   failure and escalated to the critical topic.
 */
export function expectedPersistent(call: Call, kind: Kind): Expected {
  if (BEST_EFFORT.has(call)) return { outcome: 'remediated', topic: 'info' };
  if (call === 'sns:Publish' || call === 'states:StartExecution') return { outcome: 'failed', topic: null };
  if (kind === 'not-found') {
    if (call === 'ssm:GetParameter') return { outcome: 'skipped', topic: 'info' };
    if (call === 'ce:GetCostAndUsage' || call === 'cloudwatch:DescribeAlarms') return { outcome: 'failed', topic: 'critical' };
    return { outcome: 'escalated', topic: 'critical' };
  }
  return { outcome: 'failed', topic: 'critical' };
}

/**
 * The ledger's own DynamoDB calls, made by every runbook's handlers: admit claims the incident
 * and the cooldown, the acting steps write and complete their rows, notify lists them and closes
 * the incident. The drill's `dynamodb:<Operation>` faults reach them as they reach the tables.
 */
export const LEDGER_CALLS = ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'] as const;
export type LedgerCall = (typeof LEDGER_CALLS)[number];
