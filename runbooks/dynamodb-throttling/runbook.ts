/**
 * dynamodb-throttling (seed 003 §2): a throttled table is switched to on-demand (its mode and
 * capacities recorded first); on the tasks table, tasks stuck in pending are counted, backed up,
 * and deleted only as approved.
 */
import { z } from 'zod';
import { gatePolicy, resourceName, runbookBase, targetTagsSchema, verifySchema } from '../config';
import { byTag, json, tagReads, type AlarmSpec, type Arns, type HandlerDef, type Permission } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';

const config = z.strictObject({
  ...runbookBase,
  targets: z.array(z.strictObject({ tableName: resourceName })).min(1),
  /** Tables not named above that carry all these tags are targets too. */
  targetTags: targetTagsSchema,
  verify: verifySchema('cleared'),
  thresholds: z.strictObject({
    /** Seed 003: throttled requests > 0. */
    throttleEvents: z.number().min(0).default(0),
    /** Seed 003: UserErrors > 0 (account-wide metric: notifies, names no table). */
    userErrors: z.number().min(0).default(0),
  }),
  /** How long to wait for the table to return to ACTIVE after the switch. */
  activeTimeoutMinutes: z.number().int().min(1).max(60).default(15),
  /**
   * Seed 003 §2 "Clear stuck tasks": the table whose items are tasks, and what makes one stuck
   * (the seed's scan: status = pending and timestamp, epoch seconds, older than an hour).
   * Absent: no cleanup step. Other targets are never scanned.
   */
  stuckTasks: z.strictObject({
    tableName: resourceName,
    statusAttribute: z.string().min(1).default('status'),
    pendingStatus: z.string().min(1).default('pending'),
    timestampAttribute: z.string().min(1).default('timestamp'),
    olderThanMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
    /** Most tasks one run deletes: the ledger row holds every deleted item, and a row is at most 400 KB. */
    maxItems: z.number().int().min(1).max(500).default(100),
    /** How long to wait for the on-demand backup to become AVAILABLE before escalating. */
    backupTimeoutMinutes: z.number().int().min(1).max(60).default(10),
    /**
     * The human gate before the delete. P3 (seed 003: the switch has already mitigated; stuck
     * tasks are isolated agent failures). A delete is not undone by the runbook, so on timeout it aborts unless marked proceed.
     */
    approval: gatePolicy.default({ severity: 'P3', onTimeout: 'abort' }),
  }).optional(),
}).refine((r) => !r.stuckTasks || r.targets.some((t) => t.tableName === r.stuckTasks?.tableName), {
  message: 'stuckTasks.tableName must be one of the targets',
  path: ['stuckTasks', 'tableName'],
});
export type DynamodbThrottlingConfig = z.infer<typeof config>;

const tableNames = (c: DynamodbThrottlingConfig) => c.targets.map((t) => t.tableName);
const tableArns = (c: DynamodbThrottlingConfig, arns: Arns) => tableNames(c).map((name) => arns.dynamodbTable(name));
/** The configured tasks table's ARN, or none: without `stuckTasks` the cleanup's steps hold no permission at all. */
const tasksTable = (c: DynamodbThrottlingConfig, arns: Arns) => (c.stuckTasks ? [arns.dynamodbTable(c.stuckTasks.tableName)] : []);

/**
 * The cleanup of stuck tasks (seed 003 §2): count (read-only), back up, wait for the backup, and
 * delete on an approved decision. Every grant names the configured tasks table only; without one
 * (no `stuckTasks`) the count step answers "not applicable" and the others hold no permission at all.
 */
function stuckTaskHandlers(c: DynamodbThrottlingConfig, arns: Arns): HandlerDef[] {
  const st = c.stuckTasks;
  const table = tasksTable(c, arns);
  const grant = (actions: string[], resources: string[]): Permission[] => (resources.length > 0 ? [{ actions, resources }] : []);
  const spec = st
    ? json({
      tableName: st.tableName, statusAttribute: st.statusAttribute, pendingStatus: st.pendingStatus,
      timestampAttribute: st.timestampAttribute, olderThanMinutes: st.olderThanMinutes, maxItems: st.maxItems,
    })
    : 'null';
  const allowed = json(st ? [st.tableName] : []);
  return [
    {
      id: 'DynamodbThrottlingCountStuck', substitution: 'CountStuckFunctionArn', entry: 'runbooks/dynamodb-throttling/handlers/count-stuck.ts', usesLedger: false,
      description: 'dynamodb-throttling: count tasks stuck in pending (read-only)', environment: { STUCK_TASKS: spec },
      permissions: grant(['dynamodb:DescribeTable', 'dynamodb:Scan'], table),
    },
    {
      id: 'DynamodbThrottlingBackup', substitution: 'BackupFunctionArn', entry: 'runbooks/dynamodb-throttling/handlers/backup.ts', usesLedger: true,
      description: 'dynamodb-throttling: on-demand backup of the tasks table', environment: { ALLOWED_TARGETS: allowed },
      // ListBackups (finding a backup an earlier attempt made, so a retry does not make a second)
      // has no resource type in the Service Authorization Reference: "*" is its only resource.
      permissions: [...grant(['dynamodb:CreateBackup'], table), ...grant(['dynamodb:ListBackups'], st ? ['*'] : [])],
    },
    {
      id: 'DynamodbThrottlingBackupStatus', substitution: 'BackupStatusFunctionArn', entry: 'runbooks/dynamodb-throttling/handlers/backup-status.ts', usesLedger: false,
      description: 'dynamodb-throttling: wait for the backup to be AVAILABLE',
      environment: { BACKUP_TIMEOUT_SECONDS: String((st?.backupTimeoutMinutes ?? 10) * 60), POLL_SECONDS: '10' },
      // DescribeBackup is authorized on the backup's ARN, which lives under its table's.
      permissions: grant(['dynamodb:DescribeBackup'], table.map((t) => `${t}/backup/*`)),
    },
    {
      id: 'DynamodbThrottlingDeleteStuck', substitution: 'DeleteStuckFunctionArn', entry: 'runbooks/dynamodb-throttling/handlers/delete-stuck.ts', usesLedger: true,
      description: 'dynamodb-throttling: delete the stuck tasks found, as approved',
      environment: { ALLOWED_TARGETS: allowed, STUCK_TASKS: spec, DELETE_ON_TIMEOUT: st?.approval.onTimeout ?? 'abort' },
      permissions: grant(['dynamodb:GetItem', 'dynamodb:DeleteItem'], table),
    },
  ];
}

export default defineRunbook({
  name: 'dynamodb-throttling',
  answers: ['table-throttling'],
  config,
  targets: tableNames,
  trigger: {
    kind: 'alarm',
    // Throttled requests on a table.
    route: {
      selectors: [{ namespaces: ['AWS/DynamoDB'], metricNames: ['ReadThrottleEvents', 'WriteThrottleEvents', 'ThrottledRequests'], alarmedMetricOnly: false }],
      targetDimensions: ['TableName'],
    },
    dimensions: (c) => c.targets.map((t) => ({ TableName: t.tableName })),
  },
  tags: { resource: 'dynamodb:table', pattern: ({ arns }) => [arns.dynamodbTable('*')] },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({
      // Without stuckTasks the count step answers "not applicable" and the gate is never reached.
      StuckDeleteApprovalTimeoutSeconds: String(deadlineSeconds(c.stuckTasks?.approval.severity ?? 'P3')),
    }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    const tables = tableArns(c, arns);
    const anyTable = [arns.dynamodbTable('*')];
    const tagEnv: Record<string, string> = c.targetTags ? { ALLOWED_TARGET_TAGS: json(c.targetTags) } : {};
    const describe = [{ actions: ['dynamodb:DescribeTable'], resources: tables }, ...byTag(['dynamodb:DescribeTable'], anyTable, c.targetTags)];
    return [
      {
        id: 'DynamodbThrottlingInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/dynamodb-throttling/handlers/inspect.ts', usesLedger: false,
        description: 'dynamodb-throttling: describe the table', environment: {},
        permissions: describe,
      },
      {
        id: 'DynamodbThrottlingSwitch', substitution: 'SwitchFunctionArn', entry: 'runbooks/dynamodb-throttling/handlers/switch.ts', usesLedger: true,
        description: 'dynamodb-throttling: switch to on-demand',
        environment: { ALLOWED_TARGETS: json(tableNames(c)), ...tagEnv },
        permissions: [
          { actions: ['dynamodb:DescribeTable', 'dynamodb:UpdateTable'], resources: tables },
          ...byTag(['dynamodb:DescribeTable', 'dynamodb:UpdateTable'], anyTable, c.targetTags),
          ...tagReads('dynamodb:ListTagsOfResource', anyTable, c.targetTags),
        ],
      },
      {
        id: 'DynamodbThrottlingCheck', substitution: 'CheckFunctionArn', entry: 'runbooks/dynamodb-throttling/handlers/check.ts', usesLedger: false,
        description: 'dynamodb-throttling: wait for ACTIVE on-demand',
        environment: { ACTIVE_TIMEOUT_SECONDS: String(c.activeTimeoutMinutes * 60), POLL_SECONDS: '10' },
        permissions: describe,
      },
      ...stuckTaskHandlers(c, arns),
      ctx.approvalRequest('DynamodbThrottlingApprovalRequest'),
      ctx.verifyAlarm('DynamodbThrottlingVerify', c.verify),
    ];
  },
  gates: [{ step: 'delete-stuck', policyAt: ['stuckTasks', 'approval'] }],
  undo: ({ config: c, arns }) => [
    {
      operation: 'dynamodb:UpdateTable', targets: tableNames(c), resources: tableArns(c, arns), byTag: true,
      restoreActions: ['dynamodb:DescribeTable', 'dynamodb:UpdateTable'], verifyActions: ['dynamodb:DescribeTable'],
    },
    {
      // The stuck tasks the cleanup deleted are put back (conditional PutItem) on the configured tasks table only.
      operation: 'dynamodb:DeleteItem', targets: c.stuckTasks ? [c.stuckTasks.tableName] : [], resources: tasksTable(c, arns),
      restoreActions: ['dynamodb:GetItem', 'dynamodb:PutItem'], verifyActions: ['dynamodb:GetItem'],
    },
  ],
  approvalPage: {
    permissions: ({ config: c, arns }) => [
      { actions: ['dynamodb:DescribeTable'], resources: tableArns(c, arns) },
      // A gated delete of stuck tasks: the page re-reads those tasks (key and status only), on the tasks table alone.
      ...(c.stuckTasks ? [{ actions: ['dynamodb:BatchGetItem'], resources: tasksTable(c, arns) }] : []),
    ],
    environment: ({ config: c }): Record<string, string> => (c.stuckTasks
      ? { STUCK_TASK_TABLES: json({ [c.stuckTasks.tableName]: { statusAttribute: c.stuckTasks.statusAttribute, pendingStatus: c.stuckTasks.pendingStatus } }) }
      : {}),
  },
  alarms: (c) => {
    const throttles = c.targets.flatMap((t) => ['ReadThrottleEvents', 'WriteThrottleEvents'].map((metricName): AlarmSpec => ({
      id: `${t.tableName}-${metricName}`,
      description: `Seed 003 section 2: ${metricName} on ${t.tableName}. Starts dynamodb-throttling.`,
      metric: { namespace: 'AWS/DynamoDB', metricName, dimensions: { TableName: t.tableName }, statistic: 'Sum', periodMinutes: 1 },
      threshold: c.thresholds.throttleEvents,
      comparison: 'GreaterThanThreshold', evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: 'notBreaching',
    })));
    // UserErrors is an account-and-region metric: it names no table, so it cannot start a runbook.
    const userErrors: AlarmSpec = {
      id: 'dynamodb-user-errors', informs: true,
      description: 'Seed 003: DynamoDB UserErrors in this account and region. Informs only.',
      metric: { namespace: 'AWS/DynamoDB', metricName: 'UserErrors', statistic: 'Sum', periodMinutes: 5 },
      threshold: c.thresholds.userErrors,
      comparison: 'GreaterThanThreshold', evaluationPeriods: 1, treatMissingData: 'notBreaching',
    };
    return c.targets.length > 0 ? [...throttles, userErrors] : throttles;
  },
  nag: ({ config: c, arns }) => (c.stuckTasks ? [{
    id: `AwsSolutions-IAM5[Resource::${arns.dynamodbTable(c.stuckTasks.tableName)}/backup/*]`,
    reason: `dynamodb-throttling waits (dynamodb:DescribeBackup, read-only) for the on-demand backup it takes of ${c.stuckTasks.tableName}; the backup ARN is made when the backup is.`,
  }] : []),
  drill: {
    event: 'events/dynamodb-throttling.alarm.json',
    samples: ['events/samples/dynamodb-read-throttle.alarm.json'],
    scenarios: [
      'drill/scenarios/table-already-on-demand.json', 'drill/scenarios/table-deleted.json',
      'drill/scenarios/table-allowlisted-by-tag.json', 'drill/scenarios/table-not-allowlisted.json',
    ],
    taggedAlarms: { 'cabruca-segmentation-prod-agent-tasks-write-throttles': {} },
    tables: tableNames,
    changes: {
      'dynamodb:UpdateTable': { fields: ['billingMode', 'readCapacityUnits', 'writeCapacityUnits'] },
      // Deleted items come back whole: the same count and the same content (digest) as at the start.
      'dynamodb:DeleteItem': { fields: ['items', 'itemsDigest'] },
    },
    // admit -> describe -> switch -> poll for ACTIVE -> alarm back to OK? -> count stuck tasks -> backup (an earlier one? then create) -> poll the backup -> approval (auto here) -> delete -> notify
    // (the drill's dynamodb faults reach the table API; the recorded event's table holds stuck tasks)
    calls: [
      { call: 'dynamodb:DescribeTable', state: 'Describe table' },
      { call: 'dynamodb:UpdateTable', state: 'Switch to on-demand', mutates: true },
      { call: 'cloudwatch:DescribeAlarms', state: 'Check alarm state' },
      { call: 'dynamodb:Scan', state: 'Count stuck tasks' },
      { call: 'dynamodb:ListBackups', state: 'Back up the tasks table' },
      { call: 'dynamodb:CreateBackup', state: 'Back up the tasks table', mutates: true },
      { call: 'dynamodb:DescribeBackup', state: 'Check backup status' },
      { call: 'sns:Publish', state: 'Notify stuck tasks deleted' },
    ],
    unfaulted: {
      // --fault fails an operation on every table; these are failed on the tasks table alone by
      // test/drill/lost-answers.test.ts and the truth property tests (test/property).
      'dynamodb:GetItem': 'the ledger reads items too: failed on the tasks table alone elsewhere',
      'dynamodb:DeleteItem': 'after the approval gate: failed on the tasks table alone elsewhere',
    },
  },
});
