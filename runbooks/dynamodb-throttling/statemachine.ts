/** dynamodb-throttling (seed 003 section 2): a throttled provisioned table to on-demand, then a gated cleanup of stuck tasks. */
import { approvalGate, plannedOnly, pollUntilDone, runbookMachine, Spine, TABLE_BUSY, TRANSIENT, verifyAlarm } from '../../statemachines/src/spine';

const spine = new Spine('dynamodb-throttling');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: table not found');
const SWITCHED = 'switched to on-demand (PAY_PER_REQUEST); the table is ACTIVE; {}';

export default runbookMachine(spine, {
  comment: 'dynamodb-throttling (seed 003 section 2): switch a throttled provisioned table to on-demand. admit -> diagnose -> act -> verify -> notify.',
  admitted: 'Describe table',
  states: [
    {
      'Describe table': invoke('InspectFunctionArn', {
        result: ['tableName', 'billingMode', 'tableStatus', 'readCapacityUnits', 'writeCapacityUnits'], at: '$.diagnosis', catch: [notFound], next: 'Already on-demand?',
      }),
      'Already on-demand?': {
        Type: 'Choice', Choices: [{ Variable: '$.diagnosis.billingMode', StringEquals: 'PAY_PER_REQUEST', Next: 'Notify already on-demand' }], Default: 'Switch to on-demand',
      },
      'Notify already on-demand': notify('skipped', 'already on-demand: throttling is not a provisioned-capacity shortfall', { evidence: '$.diagnosis' }),
      'Switch to on-demand': mutation('SwitchFunctionArn', {
        comment: 'Seed 003 section 2, immediate mitigation. Records the previous mode and capacities first. A table that is UPDATING (ResourceInUseException) is retried after a pause; the switch limit (LimitExceededException) escalates.',
        at: '$.action', retry: [TABLE_BUSY, TRANSIENT],
        catch: [notFound, catches(['SwitchLimitReached', 'TableBusy', 'ChangeRejected'], 'Escalate: switch refused')], next: 'Planned only?',
      }),
      'Escalate: switch refused': escalate('DynamoDB refused the switch to on-demand', { evidence: '$.diagnosis', error: '$.error' }),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Start waiting for ACTIVE' }),
    pollUntilDone(spine, {
      names: { start: 'Start waiting for ACTIVE', check: 'Check table status', decide: 'Table active on-demand?', wait: 'Wait for table' },
      fn: 'CheckFunctionArn', at: '$.check', reports: ['table'], done: 'Start verifying the alarm', givenUp: 'Escalate: table not ACTIVE',
    }),
    { 'Escalate: table not ACTIVE': escalate('the table did not return to ACTIVE on-demand within the configured time', { evidence: '$.check.table' }) },
    verifyAlarm(spine, { verified: 'Count stuck tasks' }),
    {
      'Count stuck tasks': invoke('CountStuckFunctionArn', {
        comment: "Seed 003 section 2: tasks still pending an hour after their timestamp (the seed's scan). Read-only; applies to the configured tasks table only.",
        result: ['applies', 'tableName', 'count', 'keys', 'truncated', 'cutoff', 'reason'], at: '$.stuck', catch: [notFound], next: 'Stuck tasks?',
      }),
      'Stuck tasks?': {
        Type: 'Choice',
        Choices: [{ And: [{ Variable: '$.stuck.applies', BooleanEquals: true }, { Variable: '$.stuck.count', NumericGreaterThan: 0 }], Next: 'Back up the tasks table' }],
        Default: 'Notify remediated',
      },
      'Notify remediated': notify('remediated', `States.Format('${SWITCHED}', $.verify.reason)`, { evidence: '$.check.table' }),
      'Back up the tasks table': mutation('BackupFunctionArn', {
        comment: 'Seed 003 Backup Procedures: an on-demand backup before anything is deleted; recorded in the ledger before the call.',
        payload: { 'stuckCount.$': '$.stuck.count' }, at: '$.backup', retry: [TABLE_BUSY, TRANSIENT],
        catch: [notFound, catches(['TableBusy', 'ChangeRejected'], 'Escalate: backup not taken')], next: 'Start waiting for the backup',
      }),
    },
    pollUntilDone(spine, {
      names: { start: 'Start waiting for the backup', check: 'Check backup status', decide: 'Backup available?', wait: 'Wait for the backup' },
      fn: 'BackupStatusFunctionArn', at: '$.backupCheck', payload: { 'backupArn.$': '$.backup.after.backupArn' }, reports: ['backup'], canFail: true,
      catch: [catches(['TargetNotFound'], 'Escalate: backup not taken')],
      decideComment: 'The backup is AVAILABLE: only then are the approvers asked to delete.', done: 'Prepare delete approval', givenUp: 'Escalate: backup not taken',
    }),
    {
      'Escalate: backup not taken': escalate('the on-demand backup of the tasks table was refused or did not become AVAILABLE: the stuck tasks are kept', { evidence: '$.stuck' }),
    },
    approvalGate(spine, {
      names: {
        prepare: 'Prepare delete approval', ask: 'Ask to delete stuck tasks: wait for approvers', rejected: 'Delete rejected', recordRejection: 'Record delete rejection',
        escalate: 'Escalate delete approval?', resendL2: 'Re-send delete to L2', resendL3: 'Re-send delete to L3', timedOut: 'Delete approval timed out', approved: 'Delete approved?',
      },
      step: 'delete-stuck', at: '$.deleteApproval', deadline: 'StuckDeleteApprovalTimeoutSeconds',
      prepare: {
        comment: "Seed 003 section 2: a human decides whether the stuck tasks counted are deleted, once the backup is AVAILABLE. The deadline comes from the gate's severity (seed 003 response times), per escalation level.",
      },
      ask: {
        comment: 'The approval step: the approvers see the exact keys, the count, the backup, the switch and the alarm check; only a POST on the approval page decides. The result lands at $.approval.',
        gate: {
          operation: 'dynamodb:DeleteItem', 'target.$': '$.stuck.tableName',
          parameters: { 'TableName.$': '$.stuck.tableName', 'Keys.$': '$.stuck.keys', 'BackupArn.$': '$.backupCheck.backup.backupArn' },
          evidence: { 'stuckTasks.$': '$.stuck', 'backup.$': '$.backupCheck.backup', 'switch.$': '$.action', 'table.$': '$.check.table', 'alarm.$': '$.verify' },
        },
      },
      timedOutComment: "The last level let the deadline pass: close the request in the ledger; the gate's onTimeout says abort (the default: the tasks are kept) or proceed (only if configured).",
      approvedComment: 'The gate: deletes only on $.approval.decision == approved, or on a timeout when the gate is configured onTimeout proceed (abort by default). Rules are tried in order, so no comparison reads a missing path.',
      before: [{ Not: { Variable: '$.approval.decision', IsPresent: true }, Next: 'Notify stuck tasks kept' }],
      whenApproved: 'Delete stuck tasks', otherwise: 'Escalate: stuck tasks kept, delete not approved',
    }),
    {
      'Notify stuck tasks kept': notify(
        'remediated',
        `States.Format('${SWITCHED}. {} stuck tasks kept for a human; backup {}', $.verify.reason, $.stuck.count, $.backupCheck.backup.backupArn)`,
        { evidence: '$.stuck' },
      ),
      'Escalate: stuck tasks kept, delete not approved': escalate(
        `States.Format('${SWITCHED}. The delete of {} stuck tasks was {}: they are kept for a human; backup {}', $.verify.reason, $.stuck.count, $.approval.decision, $.backupCheck.backup.backupArn)`,
        { evidence: '$.approval' },
      ),
      'Delete stuck tasks': mutation('DeleteStuckFunctionArn', {
        comment: "Seed 003 section 2: deletes exactly the tasks counted and approved, each only if still pending and older than the same cutoff. The handler checks the ledger's approval names exactly this table, these keys and this backup; the full items are recorded in the ledger before the first delete.",
        payload: { 'stuck.$': '$.stuck', 'backup.$': '$.backupCheck.backup', 'approval.$': '$.approval' },
        result: ['operation', 'target', 'after', 'replayed', 'planned'], at: '$.cleanup', catch: [notFound], next: 'Notify stuck tasks deleted',
      }),
      'Notify stuck tasks deleted': notify(
        'remediated',
        `States.Format('${SWITCHED}. Stuck tasks deleted on approval: {} deleted, {} skipped (changed since counted); backup {}', $.verify.reason, States.ArrayLength($.cleanup.after.deleted), States.ArrayLength($.cleanup.after.skipped), $.backupCheck.backup.backupArn)`,
        { evidence: '$.cleanup.after' },
      ),
      'Escalate: table not found': escalate('the table does not exist or is not a configured target', { error: '$.error' }),
    },
  ],
});
