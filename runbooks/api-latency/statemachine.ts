/** api-latency (seed 004 "High API Latency: check metrics, identify bottleneck"): read the configured dependencies' metrics, rank what moved, page. Changes nothing. */
import { runbookMachine, Spine } from '../../statemachines/src/spine';

const spine = new Spine('api-latency');
const { invoke, escalate, catches } = spine;

export default runbookMachine(spine, {
  comment: "api-latency (seed 004 'High API Latency: check metrics, identify bottleneck'): admit -> read the configured dependencies' metrics over the alarm's window and the hour before (one GetMetricData call) and rank them by how much each moved -> page with the ranked list and the runbook, if any, that answers the top one. Read-only: nothing in the account changes.",
  admitted: 'Read dependency metrics',
  states: [
    {
      'Read dependency metrics': invoke('DiagnoseFunctionArn', {
        comment: "Seed 004 'check metrics': in one GetMetricData call, a value a minute over the alarm's window and the hour before it, of each configured dependency: Lambda Duration p99 per function, DynamoDB SuccessfulRequestLatency per operation and read/write throttle events per table, RDS read/write latency per instance, ECS CPU and memory per service; ranked by how many times the hour before each is.",
        result: ['api', 'alarmName', 'window', 'ranked', 'top', 'summary'],
        at: '$.diagnosis', catch: [catches(['TargetNotAllowed'], 'Escalate: not a configured API')], next: 'Page: the bottleneck ranked',
      }),
      'Page: the bottleneck ranked': escalate('$.diagnosis.summary', {
        comment: "Seed 004 'identify bottleneck' is a person's to finish: the critical topic gets the verdict (the top mover and the runbook that answers it, or 'not explained by the configured dependencies'), the ranked list and what had no datapoints.",
        evidence: '$.diagnosis',
      }),
      'Escalate: not a configured API': escalate('the alarm names an API that is not a configured target of api-latency: its dependencies are unknown', { error: '$.error' }),
    },
  ],
});
