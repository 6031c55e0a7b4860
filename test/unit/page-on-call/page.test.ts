import * as fs from 'node:fs';
import * as path from 'node:path';
import { matchesPattern } from '../../../lambdas/domain/event-pattern';
import { taggedAlarmPattern, TAGGED_ALARM_PATTERN } from '../../../lambdas/domain/routing';
import { eventRulePattern, type EventRoute } from '../../../lambdas/domain/service-events';
import { incidentIdFor, parseTrigger, UnroutableEvent, type RunbookTrigger } from '../../../lambdas/domain/trigger';
import { AlarmNotConfigured, alarmStateChangeSchema, pageFor, PAGED_PROCEDURES, EVIDENCE_PROCEDURES } from '../../../runbooks/page-on-call/page';
import { SEED_PROCEDURES } from '../../../runbooks/seed-procedures';
import type { Page } from '../../../runbooks/page-on-call/page';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const ROOT = path.join(__dirname, '..', '..', '..');
/** The recorded event: seed 001 scenario A's CrashLoop alarm (Container Insights on EKS). */
const recorded = JSON.parse(fs.readFileSync(path.join(ROOT, 'events', 'page-on-call.alarm.json'), 'utf8')) as Record<string, unknown> & { detail: Record<string, unknown> };
const ALARM = 'alphaswarm-prod-core-crashloop';
const PROCEDURES = { [ALARM]: 'pod-crashes', 'tradai-prod-position-stuck': 'position-stuck' } as const;
const ROUTE: EventRoute = { event: 'cloudwatch-alarm-named', detail: { state: { value: ['ALARM'] } } };
const started: RunbookTrigger = { events: [ROUTE] };

const withDetail = (detail: Record<string, unknown>) => ({ ...recorded, detail: { ...recorded.detail, ...detail } });

describe('the page', () => {
  test("carries the seed procedure's steps in order and the alarm's reason, metric, dimensions and time", () => {
    const page = pageFor(alarmStateChangeSchema.parse(recorded), PROCEDURES);
    expect(page.procedure).toMatchObject({ id: 'pod-crashes', seed: '001', title: 'Scenario A: single pod crashes', steps: SEED_PROCEDURES['pod-crashes'].steps });
    expect(page.alarm).toMatchObject({
      name: ALARM, arn: `arn:aws:cloudwatch:sa-east-1:111122223333:alarm:${ALARM}`, state: 'ALARM', firedAt: '2026-12-06T03:12:41.377+0000',
      reason: expect.stringMatching(/^Threshold Crossed: 3 out of the last 3 datapoints/),
      metrics: [{ id: 'm1', namespace: 'ContainerInsights', name: 'pod_number_of_container_restarts', stat: 'Sum', periodSeconds: 60, dimensions: { ClusterName: 'alphaswarm-prod', Namespace: 'alphaswarm', PodName: 'alphaswarm-core' } }],
    });
    expect(page.summary).toBe(
      'Seed 001 "Scenario A: single pod crashes": alarm alphaswarm-prod-core-crashloop went to ALARM at 2026-12-06T03:12:41.377+0000 on '
      + 'ContainerInsights pod_number_of_container_restarts {ClusterName=alphaswarm-prod, Namespace=alphaswarm, PodName=alphaswarm-core} (Sum, 60 s). '
      + `No machine runs this procedure: ${SEED_PROCEDURES['pod-crashes'].unautomated.why}. The seed's steps: `
      + '1. Identify the crashing pod: kubectl get pods -n alphaswarm -l app=alphaswarm-core | findstr CrashLoop '
      + '2. Inspect: kubectl describe pod -n alphaswarm <pod-name>; kubectl logs -n alphaswarm <pod-name> --previous '
      + '3. Rolling restart of the deployment (HPA + PDB keep the service up): kubectl rollout restart -n alphaswarm deployment/alphaswarm-core',
    );
  });

  test('a metric math alarm shows each expression; a composite alarm its rule; a severity where the seed gives one', () => {
    const math = pageFor(alarmStateChangeSchema.parse(withDetail({
      alarmName: 'tradai-prod-position-stuck',
      configuration: { metrics: [
        { id: 'e1', expression: 'm1 - m2', returnData: true },
        { id: 'm1', metricStat: { metric: { namespace: 'TradAI/Trading', name: 'OpenPositions' }, period: 300, stat: 'Maximum' }, returnData: false },
      ] },
    })), PROCEDURES);
    expect(math.summary).toContain('Seed 004 "Position Stuck" (Critical): alarm tradai-prod-position-stuck went to ALARM at 2026-12-06T03:12:41.377+0000 on expression e1 = m1 - m2; TradAI/Trading OpenPositions (Maximum, 300 s).');
    expect(math.summary).toContain('1. Seed 004 "Position Stuck" (Critical), runbook Trading Issues: manual intervention, contact exchange.');
    const composite = pageFor(alarmStateChangeSchema.parse(withDetail({ alarmName: 'tradai-prod-position-stuck', configuration: { alarmRule: 'ALARM(a) AND ALARM(b)' } })), PROCEDURES);
    expect(composite.alarm).toMatchObject({ metrics: [], alarmRule: 'ALARM(a) AND ALARM(b)' });
    expect(composite.summary).toContain('on composite rule ALARM(a) AND ALARM(b).');
  });

  test('an alarm config names no procedure for is refused in one line', () => {
    expect(() => pageFor(alarmStateChangeSchema.parse(withDetail({ alarmName: 'someone-elses-alarm' })), PROCEDURES))
      .toThrow(new AlarmNotConfigured('alarm someone-elses-alarm is not one page-on-call is configured to page for'));
  });

  test("every procedure it may page for has the seed's steps, and is page-only or one it answers with evidence (why a person runs it)", () => {
    for (const id of PAGED_PROCEDURES) {
      const p = SEED_PROCEDURES[id] as { unautomated?: { kind: string }; steps?: readonly string[] };
      // One it answers is no longer unautomated (the alert matrix names page-on-call); the others stay page-only.
      expect([id, p.unautomated?.kind, (p.steps ?? []).length > 0]).toEqual([id, id in EVIDENCE_PROCEDURES ? undefined : 'page-only', true]);
    }
    expect(PAGED_PROCEDURES.filter((id) => id in EVIDENCE_PROCEDURES)).toEqual(['nat-instance-down', 'unauthorized-access']);
  });
});

describe('the handler', () => {
  let handler: (event: unknown, context: typeof lambdaContext) => Promise<Page>;
  beforeAll(async () => {
    process.env.ALARM_PROCEDURES = JSON.stringify(PROCEDURES);
    handler = (await import('../../../runbooks/page-on-call/handlers/read-alarm')).handler as unknown as typeof handler;
  });
  const input = (event: unknown) => ({ incident: incident({ runbook: 'page-on-call', target: ALARM, source: { name: ALARM } }), execution: { id: EXECUTION_ARN }, event });

  test('pages from the event it is given and its configured procedures', async () => {
    const page = await handler(input(recorded), lambdaContext);
    expect(page.procedure.id).toBe('pod-crashes');
    expect(page.alarm.name).toBe(ALARM);
  });

  test('an event without the alarm is refused as invalid input naming the field', async () => {
    await expect(handler(input({ detail: { state: { value: 'ALARM', timestamp: 't' } } }), lambdaContext)).rejects.toThrow('Invalid task input at event.detail.alarmName');
  });
});

describe('routed by the alarm\'s name', () => {
  const rule = eventRulePattern(ROUTE, [ALARM]);

  test("the rule matches the configured alarm's ALARM transition only", () => {
    expect(matchesPattern(rule, recorded)).toBe(true);
    expect(matchesPattern(rule, withDetail({ state: { value: 'OK', timestamp: '2026-12-06T03:20:00.000+0000' } }))).toBe(false);
    expect(matchesPattern(rule, withDetail({ alarmName: 'alphaswarm-prod-core-crashloop-2' }))).toBe(false);
  });

  test('admit reads it as the transition it is: the alarm is the target, one transition one incident', () => {
    const trigger = parseTrigger('page-on-call', recorded, started);
    expect(trigger).toMatchObject({
      kind: 'alarm', target: ALARM, firedAt: '2026-12-06T03:12:41Z', summary: `CloudWatch alarm ${ALARM} went to ALARM`,
      source: { name: ALARM, arn: `arn:aws:cloudwatch:sa-east-1:111122223333:alarm:${ALARM}`, reason: expect.stringMatching(/^Threshold Crossed/) },
    });
    const redelivered = parseTrigger('page-on-call', { ...recorded, id: '00000000-0000-4000-8000-000000000000' }, started);
    expect(incidentIdFor(redelivered.dedupeKey)).toBe(incidentIdFor(trigger.dedupeKey));
    const next = parseTrigger('page-on-call', withDetail({ state: { ...(recorded.detail.state as object), timestamp: '2026-12-06T04:00:00.000+0000' } }), started);
    expect(incidentIdFor(next.dedupeKey)).not.toBe(incidentIdFor(trigger.dedupeKey));
  });

  test('an OK transition is refused in one line; a runbook without the route is not started by alarms', () => {
    expect(() => parseTrigger('page-on-call', withDetail({ state: { value: 'OK', timestamp: 't' } }), started)).toThrow(UnroutableEvent);
    expect(() => parseTrigger('workflow-stuck', recorded, { events: [{ event: 'sfn-execution-status' }] }))
      .toThrow(new UnroutableEvent('workflow-stuck is not started by CloudWatch alarms'));
  });

  test("the tag router's rule leaves the alarms routed by name out, and hears every other ALARM transition", () => {
    const pattern = taggedAlarmPattern([ALARM, 'tradai-prod-position-stuck', ALARM]);
    expect(matchesPattern(pattern, recorded)).toBe(false);
    expect(matchesPattern(pattern, withDetail({ alarmName: 'a-team-alarm' }))).toBe(true);
    expect(taggedAlarmPattern([])).toBe(TAGGED_ALARM_PATTERN);
  });
});
