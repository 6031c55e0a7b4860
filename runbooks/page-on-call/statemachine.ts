/** page-on-call: the procedures no machine should run (seeds 000, 001, 004): admit, then page the person with the seed's steps and the alarm. Changes nothing. */
import { runbookMachine, Spine } from '../../statemachines/src/spine';

const spine = new Spine('page-on-call');
const { invoke, escalate, catches } = spine;

export default runbookMachine(spine, {
  comment: "page-on-call (seed 001 A, B, E; seed 000 'Drain a Celery worker'; seed 004 'Position Stuck'): admit the configured alarm's ALARM transition -> read which seed procedure config names for it, and the alarm's reason, metrics, dimensions and time -> page the critical topic with the procedure's steps. No machine runs these procedures: nothing in the account changes.",
  trigger: 'The CloudWatch alarm event of a configured alarm, as EventBridge delivers it (routed by the alarm\'s name).',
  admitted: 'Read the alarm and its procedure',
  states: [
    {
      'Read the alarm and its procedure': invoke('ReadAlarmFunctionArn', {
        comment: "The seed procedure config names for this alarm, with its steps as the seed writes them, and what the alarm says: its reason, its metrics and their dimensions, when it fired. Reads nothing from AWS.",
        payload: { 'event.$': '$.event' },
        result: ['procedure', 'alarm', 'summary'],
        at: '$.diagnosis', catch: [catches(['AlarmNotConfigured'], 'Escalate: not a configured alarm')], next: 'Page: the procedure in hand',
      }),
      'Page: the procedure in hand': escalate('$.diagnosis.summary', {
        comment: 'A person runs the procedure: the critical topic gets its steps and the alarm, and the ledger records the page (escalated).',
        evidence: '$.diagnosis',
      }),
      'Escalate: not a configured alarm': escalate('the alarm names no seed procedure in page-on-call\'s config: page with the alarm alone', { error: '$.error' }),
    },
  ],
});
