import * as fs from 'node:fs';
import * as path from 'node:path';
import { matchesPattern } from '../../../lambdas/domain/event-pattern';
import { eventRulePattern, readServiceEvent, UnreadableServiceEvent, type EventRoute } from '../../../lambdas/domain/service-events';
import { incidentIdFor, parseTrigger, UnroutableEvent, type RunbookTrigger } from '../../../lambdas/domain/trigger';

const MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:tradai-prod-backtest-workflow';
const OTHER_MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:tradai-prod-report-workflow';
const EXECUTION = 'arn:aws:states:sa-east-1:111122223333:execution:tradai-prod-backtest-workflow:backtest-2026-12-01';
const FAILED_ONLY: EventRoute = { event: 'sfn-execution-status', detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'] } };

/** A Step Functions Execution Status Change event, shaped as the Step Functions developer guide documents it. */
function sfnEvent(changes: { id?: string; status?: string; redriveCount?: number; stateMachineArn?: string; detail?: Record<string, unknown> } = {}) {
  return {
    version: '0', id: changes.id ?? '315c1398-40ff-a850-213b-158f73e60175', 'detail-type': 'Step Functions Execution Status Change', source: 'aws.states',
    account: '111122223333', time: '2026-12-01T04:10:07Z', region: 'sa-east-1', resources: [EXECUTION],
    detail: {
      executionArn: EXECUTION, stateMachineArn: changes.stateMachineArn ?? MACHINE, name: 'backtest-2026-12-01', status: changes.status ?? 'FAILED',
      startDate: 1764561600000, stopDate: 1764562207000, input: '{}', inputDetails: { included: true }, output: null, outputDetails: null,
      error: 'States.TaskFailed', cause: 'Lambda.ServiceException', redriveCount: changes.redriveCount ?? 0, ...changes.detail,
    },
  };
}

const ECS_EVENT = {
  version: '0', id: 'ddca6449-b258-46c0-8653-e0e3a6EXAMPLE', 'detail-type': 'ECS Deployment State Change', source: 'aws.ecs', account: '111122223333',
  time: '2026-12-01T11:11:11Z', region: 'sa-east-1', resources: ['arn:aws:ecs:sa-east-1:111122223333:service/alphaswarm-cluster-prod/alphaswarm-admin-prod'],
  detail: { eventType: 'ERROR', eventName: 'SERVICE_DEPLOYMENT_FAILED', deploymentId: 'ecs-svc/1234567890123456789', updatedAt: '2026-12-01T11:11:11Z', reason: 'ECS deployment circuit breaker: task failed to start.' },
};

describe('the rule pattern of an event route', () => {
  const pattern = eventRulePattern(FAILED_ONLY, [MACHINE]);

  test('names the source, the detail-type, the route\'s filters and the configured targets at the field that names them', () => {
    expect(pattern).toEqual({
      source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [MACHINE] },
    });
    expect(FAILED_ONLY.detail).toEqual({ status: ['FAILED', 'TIMED_OUT', 'ABORTED'] });
  });

  test('matches a failure of a configured state machine only: not another machine, not a success', () => {
    expect(matchesPattern(pattern, sfnEvent())).toBe(true);
    expect(matchesPattern(pattern, sfnEvent({ status: 'TIMED_OUT' }))).toBe(true);
    expect(matchesPattern(pattern, sfnEvent({ status: 'SUCCEEDED' }))).toBe(false);
    expect(matchesPattern(pattern, sfnEvent({ stateMachineArn: OTHER_MACHINE }))).toBe(false);
  });

  test('a target field at the top level (an ECS service in resources), and any value for a runbook that allowlists by tag', () => {
    const ecs = eventRulePattern({ event: 'ecs-deployment-state', detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] } }, [ECS_EVENT.resources[0]!]);
    expect(ecs).toEqual({
      source: ['aws.ecs'], 'detail-type': ['ECS Deployment State Change'], detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] }, resources: [ECS_EVENT.resources[0]],
    });
    expect(matchesPattern(ecs, ECS_EVENT)).toBe(true);
    expect(matchesPattern(eventRulePattern(FAILED_ONLY, 'any'), sfnEvent({ stateMachineArn: OTHER_MACHINE }))).toBe(true);
  });
});

describe('reading a service event', () => {
  test('a Step Functions failure names its state machine as the target and the execution as the resource', () => {
    expect(readServiceEvent([FAILED_ONLY], sfnEvent())).toEqual({
      target: 'tradai-prod-backtest-workflow', identity: `${EXECUTION}|0|FAILED`, arn: EXECUTION, time: '2026-12-01T04:10:07Z',
      detailType: 'Step Functions Execution Status Change',
      summary: 'Step Functions execution backtest-2026-12-01 of tradai-prod-backtest-workflow ended FAILED',
      reason: 'FAILED: States.TaskFailed: Lambda.ServiceException',
    });
  });

  test('an ECS deployment names "cluster/service"', () => {
    const read = readServiceEvent([{ event: 'ecs-deployment-state' }], ECS_EVENT);
    expect(read).toMatchObject({ target: 'alphaswarm-cluster-prod/alphaswarm-admin-prod', identity: `${ECS_EVENT.resources[0]}|ecs-svc/1234567890123456789|SERVICE_DEPLOYMENT_FAILED` });
  });

  test('an event none of the routes is of reads as nothing (another parser may know it)', () => {
    expect(readServiceEvent([FAILED_ONLY], ECS_EVENT)).toBeUndefined();
  });

  test('a malformed event is one line naming the field', () => {
    const bad = sfnEvent({ detail: { executionArn: 'not-an-arn' } });
    expect(() => readServiceEvent([FAILED_ONLY], bad)).toThrow(new UnreadableServiceEvent('malformed Step Functions Execution Status Change event: detail.executionArn: expected an execution ARN'));
    const { time: _time, ...timeless } = sfnEvent();
    expect(() => readServiceEvent([FAILED_ONLY], timeless)).toThrow(/^malformed Step Functions Execution Status Change event: time: /);
  });

  test('an event of the route\'s kind its filters do not take is refused (a hand-started execution with a success)', () => {
    expect(() => readServiceEvent([FAILED_ONLY], sfnEvent({ status: 'SUCCEEDED' }))).toThrow(UnreadableServiceEvent);
  });
});

describe('an event as the trigger of a runbook', () => {
  const started: RunbookTrigger = { events: [FAILED_ONLY] };

  test('one occurrence, delivered again with another event id, is one incident; a redriven run failing again is another', () => {
    const first = parseTrigger('workflow-stuck', sfnEvent(), started);
    const again = parseTrigger('workflow-stuck', sfnEvent({ id: '5a8b0d3e-0000-4000-8000-000000000001' }), started);
    const redriven = parseTrigger('workflow-stuck', sfnEvent({ redriveCount: 1 }), started);
    expect(first).toMatchObject({ kind: 'event', target: 'tradai-prod-backtest-workflow', firedAt: '2026-12-01T04:10:07Z', source: { arn: EXECUTION } });
    expect(incidentIdFor(again.dedupeKey)).toBe(incidentIdFor(first.dedupeKey));
    expect(incidentIdFor(redriven.dedupeKey)).not.toBe(incidentIdFor(first.dedupeKey));
  });

  test('a runbook with no route for the event refuses it in one line; a malformed one names the runbook and the field', () => {
    expect(() => parseTrigger('lambda-runaway', sfnEvent(), { alarm: { selectors: [{ namespaces: ['AWS/Lambda'], metricNames: ['Errors'], alarmedMetricOnly: true }], targetDimensions: ['FunctionName'] } }))
      .toThrow(new UnroutableEvent('input is neither a CloudWatch Alarm State Change event, an AWS service event lambda-runaway is started by, nor a runbook-autopilot event'));
    expect(() => parseTrigger('workflow-stuck', sfnEvent({ detail: { status: 'DONE' } }), started)).toThrow(/^workflow-stuck: malformed Step Functions Execution Status Change event: detail\.status: /);
  });

  test('a runbook started by events only is not started by an alarm', () => {
    const alarm = { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', resources: [], detail: { alarmName: 'x', state: { value: 'ALARM', timestamp: '2026-12-01T00:00:00Z' } } };
    expect(() => parseTrigger('workflow-stuck', alarm, started)).toThrow(new UnroutableEvent('workflow-stuck is not started by CloudWatch alarms'));
  });
});

describe('RDS failover events, instance and cluster', () => {
  const DB = 'arn:aws:rds:sa-east-1:111122223333:db:tradai-prod-db';
  const CLUSTER = 'arn:aws:rds:sa-east-1:111122223333:cluster:tradai-prod-marketdata';
  const ROUTES: EventRoute[] = [
    { event: 'rds-instance-event', detail: { EventCategories: ['failover'] } },
    { event: 'rds-cluster-event', detail: { EventCategories: ['failover'] } },
  ];
  /** As the RDS user guide documents them: SourceIdentifier "rds:<id>" (accounts send the bare identifier). */
  const rdsEvent = (detailType: string, arn: string, sourceIdentifier: string, categories = ['failover']) => ({
    version: '0', id: '68f6e973-1a0c-d37b-f2f2-94a7f62ffd4e', 'detail-type': detailType, source: 'aws.rds', account: '111122223333',
    time: '2026-12-05T14:03:31Z', region: 'sa-east-1', resources: [arn],
    detail: { EventCategories: categories, SourceType: 'DB_INSTANCE', SourceArn: arn, Date: '2026-12-05T14:03:31.417Z', Message: 'Multi-AZ instance failover completed.', SourceIdentifier: sourceIdentifier, EventID: 'RDS-EVENT-0049' },
  });

  test('the target is the identifier in SourceArn, whether SourceIdentifier is "rds:<id>" or the bare id', () => {
    for (const id of ['rds:tradai-prod-db', 'tradai-prod-db']) {
      expect(readServiceEvent(ROUTES, rdsEvent('RDS DB Instance Event', DB, id))).toMatchObject({ target: 'tradai-prod-db', arn: DB, reason: 'Multi-AZ instance failover completed.' });
    }
    expect(readServiceEvent(ROUTES, rdsEvent('RDS DB Cluster Event', CLUSTER, 'rds:tradai-prod-marketdata'))).toMatchObject({ target: 'tradai-prod-marketdata', detailType: 'RDS DB Cluster Event' });
  });

  test("the rules filter on SourceArn: a configured database's failover matches, another database's or another category does not", () => {
    const pattern = eventRulePattern(ROUTES[0]!, [DB]);
    expect(pattern).toEqual({ source: ['aws.rds'], 'detail-type': ['RDS DB Instance Event'], detail: { EventCategories: ['failover'], SourceArn: [DB] } });
    expect(matchesPattern(pattern, rdsEvent('RDS DB Instance Event', DB, 'rds:tradai-prod-db'))).toBe(true);
    expect(matchesPattern(pattern, rdsEvent('RDS DB Instance Event', DB.replace('tradai-prod-db', 'other-db'), 'other-db'))).toBe(false);
    expect(matchesPattern(pattern, rdsEvent('RDS DB Instance Event', DB, 'tradai-prod-db', ['availability']))).toBe(false);
  });

  test('an instance event whose SourceArn names no DB instance is refused with one line', () => {
    expect(() => readServiceEvent(ROUTES, rdsEvent('RDS DB Instance Event', CLUSTER, 'x'))).toThrow(new UnreadableServiceEvent(`RDS DB Instance Event event names no DB instance ARN in SourceArn (${CLUSTER})`));
  });
});

describe("S3 calls CloudTrail recorded (AWS API Call via CloudTrail): the bucket is the target, the call's principal and request are kept", () => {
  const ROUTE: EventRoute = { event: 's3-api-call', detail: { eventSource: ['s3.amazonaws.com'], errorCode: ['AccessDenied'] } };
  const recorded = () => JSON.parse(fs.readFileSync(path.join(__dirname, '../../../events/s3-access-denied.event.json'), 'utf8')) as {
    detail: { errorCode?: string; requestParameters: Record<string, unknown>; userIdentity: Record<string, unknown> };
  };
  const BUCKET = 'cabruca-segmentation-prod-agent-artifacts';
  const ROLE = 'arn:aws:iam::111122223333:role/cabruca-segmentation-prod-engineer-agent-role';

  test('the refused put: the bucket, the object ARN, the caller, call, bucket and hour as identity, and the call with the role the session assumed', () => {
    expect(readServiceEvent([ROUTE], recorded())).toMatchObject({
      target: BUCKET, identity: `${ROLE}|s3:PutObject|${BUCKET}|2026-12-05T14`, arn: `arn:aws:s3:::${BUCKET}/uploads/segmentation-run-4812/mask.png`,
      reason: expect.stringContaining('with an explicit deny in a resource-based policy'),
      apiCall: { action: 's3:PutObject', principal: ROLE, errorCode: 'AccessDenied', parameters: { bucketName: BUCKET, key: 'uploads/segmentation-run-4812/mask.png' } },
    });
  });

  test("another record of the same refusal in the same hour is the same incident; another hour's, another caller's or another call's is not", () => {
    const identity = (change: (e: ReturnType<typeof recorded> & { detail: { eventID?: string; eventTime?: string; eventName?: string } }) => void) => {
      const e = recorded() as ReturnType<typeof recorded> & { detail: { eventID?: string; eventTime?: string; eventName?: string } };
      change(e);
      return readServiceEvent([ROUTE], e)?.identity;
    };
    const first = identity(() => undefined);
    expect(identity((e) => { e.detail.eventID = 'another-record'; e.detail.eventTime = e.detail.eventTime!.replace(/:\d\d:\d\dZ$/, ':59:59Z'); })).toBe(first);
    expect(identity((e) => { e.detail.eventTime = e.detail.eventTime!.replace(/T(\d\d)/, (_m, h: string) => `T${String((Number(h) + 1) % 24).padStart(2, '0')}`); })).not.toBe(first);
    expect(identity((e) => { e.detail.userIdentity = { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ops' }; })).not.toBe(first);
    expect(identity((e) => { e.detail.eventName = 'GetObject'; })).not.toBe(first);
  });

  test('an identity with no session (an IAM user) is named by its own ARN; a header the request sent is kept', () => {
    const e = recorded();
    e.detail.userIdentity = { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ops' };
    e.detail.requestParameters['x-amz-server-side-encryption'] = 'AES256';
    expect(readServiceEvent([ROUTE], e)?.apiCall).toMatchObject({ principal: 'arn:aws:iam::111122223333:user/ops', parameters: { 'x-amz-server-side-encryption': 'AES256' } });
  });

  test("the rule filters on the bucket in requestParameters and on AccessDenied: another bucket's or another error's record does not match", () => {
    const pattern = eventRulePattern(ROUTE, [BUCKET]);
    expect(pattern).toEqual({
      source: ['aws.s3'], 'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['s3.amazonaws.com'], errorCode: ['AccessDenied'], requestParameters: { bucketName: [BUCKET] } },
    });
    expect(matchesPattern(pattern, recorded())).toBe(true);
    const other = recorded();
    other.detail.requestParameters.bucketName = 'other-bucket';
    expect(matchesPattern(pattern, other)).toBe(false);
    const slow = recorded();
    slow.detail.errorCode = 'SlowDown';
    expect(matchesPattern(pattern, slow)).toBe(false);
  });

  test('a record that names no bucket is refused with one line', () => {
    const e = recorded();
    delete e.detail.requestParameters.bucketName;
    expect(() => readServiceEvent([ROUTE], e)).toThrow(new UnreadableServiceEvent('AWS API Call via CloudTrail event names no bucket in requestParameters.bucketName'));
  });
});

describe('an alarm route that names its target by a pattern over the dimension (AWS/States names a state machine by its ARN)', () => {
  const started: RunbookTrigger = {
    alarm: {
      selectors: [{ namespaces: ['AWS/States'], metricNames: ['ExecutionTime'], alarmedMetricOnly: false }],
      targetDimensions: ['StateMachineArn'], targetPattern: '^arn:[a-z-]+:states:[a-z0-9-]+:\\d{12}:stateMachine:([A-Za-z0-9_-]+)$',
    },
  };
  const alarm = (stateMachineArn: string) => ({
    source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', resources: ['arn:aws:cloudwatch:sa-east-1:111122223333:alarm:x'],
    detail: {
      alarmName: 'x', state: { value: 'ALARM', timestamp: '2026-12-06T11:05:42.311+0000' },
      configuration: { metrics: [{ metricStat: { metric: { namespace: 'AWS/States', name: 'ExecutionTime', dimensions: { StateMachineArn: stateMachineArn } } }, returnData: true }] },
    },
  });

  test('the target is the pattern\'s group: the state machine\'s name', () => {
    expect(parseTrigger('workflow-stuck', alarm(MACHINE), started)).toMatchObject({ kind: 'alarm', target: 'tradai-prod-backtest-workflow' });
  });

  test('a dimension the pattern does not match names no target', () => {
    expect(() => parseTrigger('workflow-stuck', alarm('tradai-prod-backtest-workflow'), started)).toThrow(UnroutableEvent);
  });
});
