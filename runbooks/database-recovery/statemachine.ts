/** database-recovery (seed 004 'Database Failover', 'Connection Pool Exhausted'; seed 001 F): verify after RDS's own failover; restart the services of a database out of connections, one at a time, gated. */
import { approvalGate, plannedOnly, pollUntilDone, redeployOneAtATime, runbookMachine, Spine, verifyAlarm } from '../../statemachines/src/spine';

const spine = new Spine('database-recovery');
const { invoke, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: database or service not found');
const evidence = { 'diagnosis.$': '$.diagnosis', 'maxConnections.$': '$.maxConnections' };

export default runbookMachine(spine, {
  comment: "database-recovery (seed 004 'Database Failover: check RDS events, verify connections', 'Connection Pool Exhausted: restart services, check max_connections'; seed 001 F 'a managed database fails over itself'): an RDS failover event (DB instance or cluster) or an alarm on DatabaseConnections near max_connections of a configured database. admit -> diagnose (DescribeDBInstances or DescribeDBClusters; DescribeServices of each service that uses it). A failover: watch until the database is available and its services healthy, then notify; RDS failed over by itself, and a failover is never answered with another (no reboot with failover, no FailoverDBCluster: no role here may make either). Connections near the limit: read max_connections (DescribeDBParameters, best effort) -> ask (gated) -> for each service, in config's order, one at a time: UpdateService forceNewDeployment, its rollout watched to completion before the next -> verify the alarm -> notify. A rollout that fails or does not complete escalates, and the services after it are left as they are. A forced deployment has no inverse: no undo.",
  trigger: 'An RDS DB Instance Event or DB Cluster Event in the failover category, or the CloudWatch alarm on a DB instance\'s DatabaseConnections, as EventBridge delivers it.',
  admitted: 'Read the database and its services',
  states: [
    {
      'Read the database and its services': invoke('InspectFunctionArn', {
        comment: "Seed 004 'Database Failover: check RDS events, verify connections': the database's status and where it serves from, each configured service that uses it (running and desired tasks, rollout), and the plan: verify a failover, restart the services, or why not.",
        result: ['trigger', 'database', 'services', 'plan', 'summary'], at: '$.diagnosis', catch: [notFound], next: 'Failover or connections?',
      }),
      'Failover or connections?': {
        Type: 'Choice', Comment: 'A failover is verified and told, never answered with another failover; an alarm on connections goes on to max_connections and the restarts.',
        Choices: [{ Variable: '$.diagnosis.plan.decision', StringEquals: 'verify-failover', Next: 'Start watching the failover' }],
        Default: 'Read max_connections',
      },
    },
    pollUntilDone(spine, {
      names: { start: 'Start watching the failover', check: 'Check the database and its services', decide: 'Database and services healthy?', wait: 'Wait for the database' },
      fn: 'WatchFunctionArn', at: '$.watch', payload: { watch: 'failover' }, reports: ['database', 'services', 'summary'], catch: [notFound],
      decideComment: 'Done when the database is available and every service that uses it runs its desired tasks with no rollout under way; bounded by watch.timeoutMinutes.',
      done: 'Notify failover verified', givenUp: 'Escalate: not healthy after the failover',
    }),
    {
      'Notify failover verified': notify('skipped', "States.Format('{} {}', $.diagnosis.summary, $.watch.summary)", { evidence: { 'diagnosis.$': '$.diagnosis', 'watch.$': '$.watch' } }),
      'Escalate: not healthy after the failover': escalate(
        "States.Format('{} Not healthy when the watch ended: {}. Nothing was changed (a failover is never answered with another); a human looks at it.', $.diagnosis.summary, $.watch.summary)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'watch.$': '$.watch' } },
      ),
      'Read max_connections': invoke('MaxConnectionsFunctionArn', {
        comment: "Seed 004 'Connection Pool Exhausted: check max_connections', best effort: max_connections of the instance's DB parameter group (DescribeDBParameters filtered to it) against config's. What cannot be read is reported as unavailable; the decision does not depend on it.",
        payload: { 'inUse.$': '$.diagnosis.database.parameterGroup' }, result: ['parameterGroup', 'value', 'configured', 'summary'], at: '$.maxConnections',
        catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.maxConnectionsError', Next: 'max_connections unavailable' }],
        next: 'Restart the services?',
      }),
      'max_connections unavailable': {
        Type: 'Pass', Comment: 'Reading the parameter group failed after its retries: the runbook goes on, and says what it could not read.',
        Parameters: { parameterGroup: null, value: null, configured: null, 'summary.$': "States.Format('max_connections: evidence unavailable: {}', $.maxConnectionsError.Error)" },
        ResultPath: '$.maxConnections', Next: 'Restart the services?',
      },
      'Restart the services?': {
        Type: 'Choice', Comment: 'Only a plan to restart goes on; a database that is not available, or a service whose rollout is not over, escalates with nothing changed.',
        Choices: [{ Variable: '$.diagnosis.plan.decision', StringEquals: 'restart', Next: 'Prepare restart approval' }],
        Default: 'Escalate: services not restarted',
      },
      'Escalate: services not restarted': escalate("States.Format('not restarted ({}): {}. {}', $.diagnosis.plan.decision, $.diagnosis.summary, $.maxConnections.summary)", { evidence }),
    },
    approvalGate(spine, {
      names: { prepare: 'Prepare restart approval', ask: 'Ask to restart: wait for approvers', rejected: 'Restart rejected', approved: 'Restart approved?' },
      step: 'restart', at: '$.restartApproval', deadline: 'RestartApprovalTimeoutSeconds',
      prepare: { comment: "Gated wherever the environment requires approvals (seed 004: Connection Pool Exhausted is High); the deadline per escalation level comes from the gate's severity." },
      ask: {
        comment: 'One approval for the plan: every forced deployment (cluster, service), in the order they are made, and the evidence (the database, its services, max_connections).',
        gate: { operation: 'ecs:UpdateService', 'target.$': '$.admission.incident.target', parameters: { 'redeploys.$': '$.diagnosis.plan.redeploys' }, evidence },
      },
      approvedComment: 'The restarts run only on $.approval.decision == approved (or a timeout on a gate marked proceed).',
      whenApproved: 'Start restarting the services', otherwise: 'Escalate: restart not approved',
    }),
    {
      'Escalate: restart not approved': escalate("States.Format('the services were not restarted: the restart was {}. {} {}', $.approval.decision, $.diagnosis.summary, $.maxConnections.summary)", { evidence: '$.approval' }),
    },
    redeployOneAtATime(spine, {
      names: {
        start: 'Start restarting the services', more: 'More services to restart?', redeploy: 'Force new deployment',
        watch: { start: 'Start watching the rollout', check: 'Check the rollout', decide: 'Rollout complete?', wait: 'Wait for the rollout' },
      },
      comments: {
        start: 'One service at a time, in config\'s order: $.restart.index is the next one.',
        more: 'Each service is restarted only once the one before it rolled out and was verified.',
        redeploy: "Seed 004 'Connection Pool Exhausted: restart services': UpdateService forceNewDeployment of this one service, as the approval covers it; the deployment it replaces is recorded in the ledger before the call (one row per service). A Retry or redrive finds the row and does not deploy twice.",
        decide: 'Bounded by watch.timeoutMinutes: complete when the forced rollout is COMPLETED with every desired task running; failed or out of time, the services after it are not restarted.',
      },
      services: '$.diagnosis.plan.order', at: '$.restart',
      redeploy: { fn: 'RestartFunctionArn', step: 'restart', at: '$.action', payload: { 'approval.$': '$.approval' }, catch: [notFound, catches(['ChangeRejected'], 'Escalate: restart refused')] },
      watch: { fn: 'WatchFunctionArn', at: '$.check', payload: { watch: 'rollout' }, catch: [notFound] },
      done: 'Planned only?', givenUp: 'Escalate: rollout did not complete',
    }),
    {
      'Escalate: rollout did not complete': escalate(
        "States.Format('the forced deployment of {} failed or did not complete in time (rollout {}); the services after it were not restarted. The plan: {}. {}', $.check.service.key, $.check.service.rolloutState, $.diagnosis.summary, $.maxConnections.summary)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'check.$': '$.check.service' } },
      ),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Start verifying the alarm' }),
    verifyAlarm(spine, { verified: 'Notify remediated' }),
    {
      'Notify remediated': notify(
        'remediated',
        "States.Format('restarted the {} service(s) that use {} one at a time, each rollout completed; {}. {}', $.restart.count, $.admission.incident.target, $.verify.reason, $.maxConnections.summary)",
        { evidence },
      ),
      'Escalate: restart refused': escalate('not restarted: refused just before the call (the approval does not cover this service; the error says why); the services after it were not restarted', { error: '$.error' }),
      'Escalate: database or service not found': escalate('the database or one of its services does not exist, or is not configured: nothing was changed', { error: '$.error' }),
    },
  ],
});
