/** credential-exposure (seed 004 "Credential Exposure: rotate immediately, audit access"): an exposed IAM access key is deactivated at once, then what it did is read. */
import type { Condition } from '../../statemachines/src/asl';
import { plannedOnly, runbookMachine, Spine } from '../../statemachines/src/spine';

const spine = new Spine('credential-exposure');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed', 'InvalidInput'], 'Escalate: user or key not found');
const READ = ['userName', 'accessKeyId', 'status'];
const inactive = (at: string): Condition => ({ Variable: `${at}.status`, StringEquals: 'Inactive' });

export default runbookMachine(spine, {
  comment: 'credential-exposure (seed 004 "Credential Exposure: rotate immediately, audit access"): admit -> read the key -> deactivate it at once (UpdateAccessKey Inactive, never deleted; no approval in any environment: it is containment) -> verify it is inactive -> read what it did (CloudTrail) -> page the critical topic. The undo (a gated UpdateAccessKey Active) puts it back.',
  admitted: 'Read access key status',
  states: [
    {
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
    },
  ],
});
