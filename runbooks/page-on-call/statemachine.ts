/**
 * page-on-call: the procedures no machine should run (seeds 000, 001, 004): admit, then page the
 * person with the seed's steps and the alarm, and escalate the page L1 -> L2 -> L3 (seed 004) until
 * someone acknowledges it on their own page. Changes nothing.
 */
import { EXECUTION, INCIDENT, LAMBDA_INVOKE_WAIT_FOR_TOKEN, runbookMachine, Spine } from '../../statemachines/src/spine';
import { EVIDENCE_PROCEDURE_IDS } from './page';

const spine = new Spine('page-on-call');
const { invoke, escalate, catches, task } = spine;

const LEVEL = '$.acknowledgement.level';
/** The acknowledgement request's gate, as the approval handlers name it. */
const GATE = { step: 'acknowledge', operation: 'page', 'target.$': '$.admission.incident.target', parameters: { 'procedure.$': '$.diagnosis.procedure.id', 'subject.$': '$.diagnosis.subject' } };

export default runbookMachine(spine, {
  comment: "page-on-call (seed 001 A, B, E; seed 000 'Drain a Celery worker'; seed 004 'Position Stuck', 'NAT Instance Down', 'Unauthorized Access'): admit the configured alarm's ALARM transition -> read which seed procedure config names for it, and the alarm's reason, metrics, dimensions and time -> for a NAT instance or unauthorized calls, read the evidence into the page (the instance's status checks, state and routes; the denied calls per caller), best-effort -> page with the procedure's steps -> wait for someone to acknowledge on their own page, escalating L1 -> L2 -> L3 (seed 004) at each level's deadline -> escalated, acknowledged or not. No machine runs these procedures: nothing in the account changes.",
  trigger: "The CloudWatch alarm event of a configured alarm, as EventBridge delivers it (routed by the alarm's name), or the CloudTrail record of a configured break-glass role being assumed (AssumeRoleWithSAML, AssumeRole).",
  admitted: 'Read the alarm and its procedure',
  states: [
    {
      'Read the alarm and its procedure': invoke('ReadAlarmFunctionArn', {
        comment: "The seed procedure config names for this alarm, with its steps as the seed writes them, and what the alarm says: its reason, its metrics and their dimensions, when it fired; or, for a break-glass role's assumption, who assumed it, from where, when and the session (never its credentials), with seed 000's steps. Reads nothing from AWS.",
        payload: { 'event.$': '$.event' },
        result: ['procedure', 'subject', 'alarm', 'assumption', 'summary'],
        at: '$.diagnosis', catch: [catches(['AlarmNotConfigured'], 'Escalate: not a configured alarm')], next: 'Evidence to read?',
      }),
      'Evidence to read?': {
        Type: 'Choice', Comment: "Seed 004's NAT Instance Down and Unauthorized Access: the page carries what a person would look up first. The other procedures page as read.",
        Choices: [{ Or: EVIDENCE_PROCEDURE_IDS.map((id) => ({ Variable: '$.diagnosis.procedure.id', StringEquals: id })), Next: 'Read the evidence' }],
        Default: 'Dry run?',
      },
      'Read the evidence': invoke('EvidenceFunctionArn', {
        comment: "Read-only: the NAT instance's status checks, scheduled events, state, source/destination check and the route tables through it (EC2 Describe*); or the denied calls in the CloudTrail log group over the alarm's window, per caller, without request parameters or credentials (FilterLogEvents). A read that fails is said in the page.",
        payload: { 'event.$': '$.event' },
        result: ['procedure', 'subject', 'alarm', 'assumption', 'evidence', 'summary'],
        at: '$.diagnosis',
        catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.evidenceError', Next: 'Page without the evidence' }],
        next: 'Dry run?',
      }),
      'Page without the evidence': {
        Type: 'Pass', Comment: 'The evidence could not be read after its retries: the page goes out as it would have, saying so. Never lose the page.',
        Parameters: {
          'procedure.$': '$.diagnosis.procedure', 'subject.$': '$.diagnosis.subject', 'alarm.$': '$.diagnosis.alarm', assumption: null,
          evidence: { read: 'failed', 'error.$': '$.evidenceError.Error' },
          'summary.$': "States.Format('The evidence could not be read ({}): look it up by hand. {}', $.evidenceError.Error, $.diagnosis.summary)",
        },
        ResultPath: '$.diagnosis', Next: 'Dry run?',
      },
      'Dry run?': {
        Type: 'Choice', Comment: 'A dry run pages once and asks nobody to acknowledge.',
        Choices: [{ Variable: '$.admission.dryRun', BooleanEquals: true, Next: 'Page: the procedure in hand' }],
        Default: 'Start at L1',
      },
      'Page: the procedure in hand': escalate('$.diagnosis.summary', {
        comment: 'A dry run: the critical topic gets the steps and the alarm; nobody is asked to acknowledge.',
        evidence: '$.diagnosis',
      }),
      'Start at L1': {
        Type: 'Pass', Comment: "Seed 004's escalation path starts at L1 (on-call); each level has the acknowledgement severity's deadline.",
        Parameters: { level: 'L1', 'timeoutSeconds.$': "States.StringToJson('${AcknowledgeTimeoutSeconds}')", topics: { L1: '${LevelTopicL1}', L2: '${LevelTopicL2}', L3: '${LevelTopicL3}' } },
        ResultPath: '$.acknowledgement', Next: 'Its own topic?',
      },
      'Its own topic?': {
        Type: 'Choice', Comment: "A level whose pager has its own SNS topic (config acknowledgement.levelTopics) is paged there; the others on the critical topic, the level named.",
        Choices: [{
          // An ARN, or empty where the level has no topic of its own.
          Or: (['L1', 'L2', 'L3'] as const).map((level) => ({ And: [{ Variable: LEVEL, StringEquals: level }, { Not: { Variable: `$.acknowledgement.topics.${level}`, StringEquals: '' } }] })),
          Next: 'Page the level on its topic',
        }],
        Default: 'Page the level',
      },
      'Page the level on its topic': invoke('PageLevelFunctionArn', {
        comment: "The page, the level named, on that level's own topic: the steps and the alarm, as the critical topic would get them.",
        payload: { 'level.$': LEVEL, 'topics.$': '$.acknowledgement.topics', 'page.$': '$.diagnosis' },
        result: ['level', 'topicArn', 'messageId'], at: '$.levelPage', next: 'Ask to acknowledge',
      }),
      'Page the level': escalate("States.Format('{}: {}', $.acknowledgement.level, $.diagnosis.summary)", {
        comment: "The critical topic gets the page with the level named (seed 004: L1 on-call engineer, L2 senior engineer, L3 platform team), the steps and the alarm; the ledger records the incident escalated.",
        evidence: '$.diagnosis', next: 'Ask to acknowledge',
      }),
      'Ask to acknowledge': {
        ...invoke('ApprovalRequestFunctionArn', {
          comment: "Each person of this level (and the levels below) gets their own signed link; opening it acknowledges nothing, only the page's Acknowledge button does. The request's row in the ledger arbitrates: the first acknowledgement closes it.",
          payload: { mode: 'request', 'taskToken.$': '$$.Task.Token', 'level.$': LEVEL, gate: GATE },
          at: '$.approval',
          catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.approvalError', Next: 'Escalate the page?' }],
          next: 'Acknowledged?',
        }),
        Resource: LAMBDA_INVOKE_WAIT_FOR_TOKEN,
        TimeoutSecondsPath: '$.acknowledgement.timeoutSeconds',
      },
      'Escalate the page?': {
        Type: 'Choice', Comment: "Seed 004: nobody acknowledged by the deadline: page the next level (L1 -> L2 -> L3), with a new deadline.",
        Choices: [{ Variable: LEVEL, StringEquals: 'L1', Next: 'To L2' }, { Variable: LEVEL, StringEquals: 'L2', Next: 'To L3' }],
        Default: 'Close the page unacknowledged',
      },
      'To L2': { Type: 'Pass', Result: 'L2', ResultPath: LEVEL, Next: 'Its own topic?' },
      'To L3': { Type: 'Pass', Result: 'L3', ResultPath: LEVEL, Next: 'Its own topic?' },
      'Close the page unacknowledged': task('ApprovalRequestFunctionArn', {
        comment: "L3 let its deadline pass: close the request in the ledger (a conditional write an acknowledgement may beat: then its acknowledgement is delivered here).",
        payload: { mode: 'expire', ...INCIDENT, ...EXECUTION, gate: { step: 'acknowledge' }, 'level.$': LEVEL },
        result: ['decision', 'level', 'requestIds', 'approvals'], at: '$.approval', next: 'Acknowledged?',
      }),
      'Acknowledged?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.approval.decision', StringEquals: 'acknowledged', Next: 'Notify acknowledged' }],
        Default: 'Escalate: nobody acknowledged',
      },
      'Notify acknowledged': escalate("States.Format('Acknowledged by {} at {}: the page stops escalating. {}', $.approval.approvals[0].approver, $.approval.level, $.diagnosis.summary)", {
        comment: 'Someone took it on: the run ends escalated (a person runs the procedure), saying who acknowledged and at which level.',
        evidence: { 'page.$': '$.diagnosis', 'acknowledgement.$': '$.approval' },
      }),
      'Escalate: nobody acknowledged': escalate("States.Format('Nobody acknowledged the page at L1, L2 or L3: {}', $.diagnosis.summary)", {
        comment: 'The last level let its deadline pass: the run ends escalated, unacknowledged.',
        evidence: { 'page.$': '$.diagnosis', 'acknowledgement.$': '$.approval' },
      }),
      'Escalate: not a configured alarm': escalate("the alarm names no seed procedure in page-on-call's config: page with the alarm alone", { error: '$.error' }),
    },
  ],
});
