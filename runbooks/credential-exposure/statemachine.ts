/**
 * credential-exposure (seed 004 "Credential Exposure: rotate immediately, audit access"): an exposed
 * IAM access key is deactivated at once, then what it did is read; a configured secret whose
 * version leaked is rotated as approved (seed 000 "Rotate Cloudflare origin secret") and the
 * services that read it are redeployed one at a time.
 */
import type { Condition } from '../../statemachines/src/asl';
import { approvalGate, plannedOnly, redeployOneAtATime, runbookMachine, Spine } from '../../statemachines/src/spine';

const spine = new Spine('credential-exposure');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed', 'InvalidInput'], 'Escalate: user or key not found');
const secretNotFound = catches(['TargetNotFound', 'TargetNotAllowed', 'InvalidInput'], 'Escalate: secret or service not found');
const SECRET = ['parameter', 'type', 'version', 'leakedVersion', 'keyId', 'services', 'plan'];
const secretEvidence = { 'secret.$': '$.secret', 'rotation.$': '$.rotation' };
const READ = ['userName', 'accessKeyId', 'status'];
const inactive = (at: string): Condition => ({ Variable: `${at}.status`, StringEquals: 'Inactive' });

export default runbookMachine(spine, {
  comment: 'credential-exposure (seed 004 "Credential Exposure: rotate immediately, audit access"; seed 000 "Rotate Cloudflare origin secret"). An access key (AKIA...): admit -> read the key -> deactivate it at once (UpdateAccessKey Inactive, never deleted; no approval in any environment: it is containment) -> verify it is inactive -> read what it did (CloudTrail) -> page the critical topic; the undo (a gated UpdateAccessKey Active) puts it back. A configured secret and its leaked version (an operator\'s start): admit -> read its version (never its value) -> ask (gated) -> a new SecureString version of 32 random bytes -> for each service that reads it, one at a time: UpdateService forceNewDeployment, its rollout watched to completion -> verify the leaked version is no longer current -> page the critical topic. A rotated secret has no undo: its earlier value is the leaked one.',
  admitted: 'Access key or secret?',
  states: [
    {
      'Access key or secret?': {
        Type: 'Choice', Comment: 'GuardDuty, AWS Health and an operator naming a key name an access key id (AKIA...); an operator naming a configured secret names its leaked version (a number).',
        Choices: [{ Variable: '$.admission.incident.source.occurrence', StringMatches: 'AKIA*', Next: 'Read access key status' }],
        Default: 'Read the secret',
      },
      'Read access key status': invoke('InspectFunctionArn', { result: READ, at: '$.diagnosis', catch: [notFound], next: 'Already inactive?' }),
      'Already inactive?': { Type: 'Choice', Choices: [{ ...inactive('$.diagnosis'), Next: 'Notify already inactive' }], Default: 'Deactivate access key' },
      'Notify already inactive': notify('skipped', "States.Format('access key {} of {} is already inactive: nothing changed; rotate it and review its use if that was not done', $.diagnosis.accessKeyId, $.diagnosis.userName)", { evidence: '$.diagnosis', critical: true }),
      'Deactivate access key': mutation('DeactivateFunctionArn', {
        comment: 'Seed 004 "rotate immediately": the key is made Inactive (never deleted). Its previous status is recorded in the ledger before the call.',
        at: '$.action', catch: [notFound], next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Verify access key inactive' }),
    {
      'Verify access key inactive': invoke('InspectFunctionArn', { result: READ, at: '$.verification', next: 'Inactive?' }),
      'Inactive?': { Type: 'Choice', Choices: [{ ...inactive('$.verification'), Next: 'Read what the key did' }], Default: 'Escalate: key still active' },
      'Escalate: key still active': escalate('the access key is not Inactive after UpdateAccessKey', { evidence: '$.verification' }),
      'Read what the key did': invoke('ActivityFunctionArn', {
        comment: 'Seed 004 "audit access", after the key is inactive: its recent CloudTrail management events, newest first, one bounded page. Read-only; names, services, times and source IPs only, never request or response contents.',
        result: ['accessKeyId', 'since', 'calls', 'truncated', 'summary'], at: '$.activity',
        catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.activityError', Next: 'Activity unavailable' }],
        next: 'Notify deactivated',
      }),
      'Activity unavailable': {
        Type: 'Pass',
        Comment: 'Reading CloudTrail failed after its retries: the key stays inactive, and the page says what could not be read.',
        Parameters: {
          'accessKeyId.$': '$.verification.accessKeyId', calls: [], truncated: false,
          'summary.$': "States.Format('evidence unavailable: what the key did could not be read ({}); look it up in CloudTrail', $.activityError.Error)",
        },
        ResultPath: '$.activity', Next: 'Notify deactivated',
      },
      'Notify deactivated': notify(
        'remediated',
        "States.Format('access key {} of IAM user {} deactivated (was {}); now rotate it: issue a new key to its owner and delete this one once nothing uses it. Recent use: {}', $.verification.accessKeyId, $.verification.userName, $.diagnosis.status, $.activity.summary)",
        { evidence: { 'key.$': '$.verification', 'activity.$': '$.activity' }, critical: true },
      ),
      'Escalate: user or key not found': escalate('the IAM user or its access key does not exist, or the user is not a configured target: nothing changed', { error: '$.error' }),
      'Read the secret': invoke('SecretFunctionArn', {
        comment: 'Seed 000 "Rotate Cloudflare origin secret", when its value is suspected leaked: the configured parameter\'s type and version, read without decryption, against the leaked version the start names, and the plan.',
        result: SECRET, at: '$.secret', catch: [secretNotFound], next: 'Rotate the secret?',
      }),
      'Rotate the secret?': {
        Type: 'Choice', Comment: 'Only the leaked version still current is rotated; a newer one means it was rotated already.',
        Choices: [
          { Variable: '$.secret.plan.decision', StringEquals: 'rotate', Next: 'Prepare rotate approval' },
          { Variable: '$.secret.plan.decision', StringEquals: 'already-rotated', Next: 'Notify already rotated' },
        ],
        Default: 'Escalate: secret not rotated',
      },
      'Notify already rotated': notify('skipped', "States.Format('{}: nothing changed. If its services were not redeployed since, they still hold the leaked value', $.secret.plan.reason)", { evidence: '$.secret', critical: true }),
      'Escalate: secret not rotated': escalate("States.Format('not rotated: {}; nothing changed', $.secret.plan.reason)", { evidence: '$.secret' }),
    },
    approvalGate(spine, {
      names: {
        prepare: 'Prepare rotate approval', ask: 'Ask to rotate: wait for approvers', rejected: 'Rotation rejected', approved: 'Rotation approved?',
        dryRun: 'Dry run: rotate?', notAsked: 'Dry run: no rotation asked', recordRejection: 'Record rotation rejection', escalate: 'Escalate rotation approval?',
        resendL2: 'Re-send rotation to L2', resendL3: 'Re-send rotation to L3', timedOut: 'Rotation approval timed out',
      },
      step: 'rotate', at: '$.rotateApproval', deadline: 'RotateApprovalTimeoutSeconds',
      prepare: { comment: "Gated wherever the environment requires approvals: the new version restarts every service that reads the secret; the deadline per escalation level comes from the gate's severity." },
      ask: {
        comment: 'One approval for the plan: the new version of this parameter (its key named, its value never shown) and the redeploys of the services that read it, in order.',
        gate: {
          operation: 'ssm:PutParameter', 'target.$': '$.secret.parameter',
          parameters: { 'Name.$': '$.secret.parameter', Type: 'SecureString', 'KeyId.$': '$.secret.keyId', Overwrite: true, 'Redeploys.$': '$.secret.services' },
          evidence: { 'secret.$': '$.secret' },
        },
      },
      approvedComment: 'The new version is written only on $.approval.decision == approved (or a timeout on a gate marked proceed).',
      whenApproved: 'Rotate the secret', otherwise: 'Escalate: rotation not approved',
    }),
    {
      'Escalate: rotation not approved': escalate("States.Format('the secret stays at its leaked version: the rotation was {}. {}', $.approval.decision, $.secret.plan.reason)", { evidence: '$.approval' }),
      'Rotate the secret': mutation('RotateFunctionArn', {
        comment: 'Seed 000: a new value of 32 random bytes (hex), written as a new SecureString version with the configured key. The version it replaces is recorded in the ledger before the call; the value never is. A Retry or redrive finds a version after the leaked one and writes no second one.',
        payload: { 'approval.$': '$.approval' }, at: '$.rotation',
        catch: [secretNotFound, catches(['ChangeRejected'], 'Escalate: rotation refused')], next: 'Start redeploying',
      }),
      'Escalate: rotation refused': escalate('not rotated: refused just before the call (the leaked version is no longer current, or the approval does not cover it; the error says which)', { error: '$.error' }),
    },
    redeployOneAtATime(spine, {
      names: {
        start: 'Start redeploying', more: 'More services to redeploy?', redeploy: 'Redeploy the service',
        watch: { start: 'Start watching the rollout', check: 'Check the rollout', decide: 'Rollout complete?', wait: 'Wait for the rollout' },
      },
      comments: {
        start: 'One service at a time, in config\'s order: $.redeploy.index is the next one.',
        more: 'Each service is redeployed only once the one before it rolled out.',
        redeploy: 'UpdateService forceNewDeployment of this one service, so its new tasks read the new version; the deployment it replaces is recorded in the ledger before the call (one row per service). A Retry or redrive finds the row and does not deploy twice.',
        decide: 'Bounded by rollout.timeoutMinutes: complete when the forced rollout is COMPLETED with every desired task running; failed or out of time, the services after it are not redeployed.',
      },
      services: '$.secret.services', at: '$.redeploy',
      redeploy: { fn: 'RedeployFunctionArn', step: 'redeploy', at: '$.redeployed', catch: [secretNotFound] },
      watch: { fn: 'RolloutFunctionArn', at: '$.check', catch: [secretNotFound] },
      done: 'Rotation planned only?', givenUp: 'Escalate: rollout did not complete',
    }),
    {
      'Escalate: rollout did not complete': escalate(
        "States.Format('{} is rotated to version {}, but the forced deployment of {} failed or did not complete in time (rollout {}): it and the services after it may still hold the leaked value', $.secret.parameter, $.rotation.after.version, $.check.service.key, $.check.service.rolloutState)",
        { evidence: { 'secret.$': '$.secret', 'rotation.$': '$.rotation', 'check.$': '$.check.service' } },
      ),
      'Rotation planned only?': {
        Type: 'Choice', Comment: 'A dry run planned the new version and the redeploys, and made none of them.',
        Choices: [{ Variable: '$.rotation.planned', BooleanEquals: true, Next: 'Verify: planned, not verified' }],
        Default: 'Verify the secret rotated',
      },
      'Verify the secret rotated': invoke('SecretFunctionArn', {
        comment: 'Verify: the parameter is at a version after the leaked one.',
        result: SECRET, at: '$.secretNow', catch: [secretNotFound], next: 'Rotated?',
      }),
      'Rotated?': {
        Type: 'Choice', Choices: [{ Variable: '$.secretNow.plan.decision', StringEquals: 'already-rotated', Next: 'Notify rotated' }],
        Default: 'Escalate: secret not rotated after the call',
      },
      'Escalate: secret not rotated after the call': escalate("States.Format('after PutParameter: {}', $.secretNow.plan.reason)", { evidence: secretEvidence }),
      'Notify rotated': notify(
        'remediated',
        "States.Format('{} rotated from the leaked version {} to version {} (32 random bytes, its value recorded nowhere); {} service(s) that read it redeployed, each rollout completed. Next (seed 000): re-apply the edge so it sends the new value; the leaked version stays in the parameter history and is never restored', $.secret.parameter, $.rotation.before.version, $.secretNow.version, $.redeploy.count)",
        { evidence: secretEvidence, critical: true },
      ),
      'Escalate: secret or service not found': escalate('the secret or a service that reads it does not exist, is not configured, or the start names no leaked version: see the error', { error: '$.error' }),
    },
  ],
});
