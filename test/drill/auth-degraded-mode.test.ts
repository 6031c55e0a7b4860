import type { AwsCallReceived } from '../../drill/drill';
import { API_CLUSTER, API_SERVICE } from '../../drill/sandbox';
import { runDrill, scenarioDrill } from './run-drill';

const SERVICE = `${API_CLUSTER}/${API_SERVICE}`;
const TD = (revision: number) => `arn:aws:ecs:sa-east-1:111122223333:task-definition/${API_SERVICE}:${revision}`;
const callsOf = (r: unknown) => (r as { calls: AwsCallReceived[] }).calls;
const of = (calls: readonly AwsCallReceived[], service: string, operation: string) => calls.filter((c) => c.service === service && c.operation === operation);
const pagesOf = (calls: readonly AwsCallReceived[]) => of(calls, 'sns', 'Publish').filter((c) => String(c.input.TopicArn).endsWith('-critical')).map((c) => String(c.input.Message));
const mutations = (calls: readonly AwsCallReceived[]) => calls.filter((c) => ['RegisterTaskDefinition', 'UpdateService', 'CreateSchedule', 'DeleteSchedule'].includes(c.operation));
const serviceIn = (r: unknown, when: 'before' | 'after') => (r as { resources: Record<string, Record<string, { taskDefinition: string; schedules?: string[] }>> }).resources[when]![SERVICE]!;

test('prod: two approvers let the API run permissive (a new revision, only the variable changed), the revert is scheduled and paged as a P1; the early revert asks nobody, deletes the schedule and puts the strict revision back', async () => {
  const { code, results: [r] } = await runDrill(['auth-degraded-mode', '--env', 'prod', '--approve', 'alice,bob', '--then-undo', '--json', '--calls']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'auth-degraded-mode', outcome: 'remediated', notifications: [{ outcome: 'remediated', topic: 'critical' }] });
  // Gated in prod: both approvers decided before anything changed.
  expect(r!.approvals.filter((a) => a.decision === 'approved').map((a) => a.approver).sort()).toEqual(['alice', 'bob']);
  const calls = callsOf(r);

  // Only the variable changed: the registration is what DescribeTaskDefinition answered, the variable permissive, tags and secret references kept.
  const [register] = of(calls, 'ecs', 'RegisterTaskDefinition');
  const containers = register!.input.containerDefinitions as { name: string; environment: { name: string; value: string }[]; secrets: unknown[] }[];
  expect(containers).toHaveLength(1);
  expect(containers[0]!.environment).toEqual([
    { name: 'ALPHASWARM_ENV', value: 'prod' }, { name: 'ALPHASWARM_AUTH_ENFORCE', value: 'permissive' }, { name: 'AUTH0_DOMAIN', value: 'your-tenant.us.auth0.com' },
  ]);
  expect(containers[0]!.secrets).toEqual([{ name: 'DATABASE_URL', valueFrom: expect.stringContaining(':secret:/alphaswarm/prod/database_url-') }]);
  expect(register!.input).toMatchObject({
    family: API_SERVICE, cpu: '1024', memory: '2048', executionRoleArn: expect.stringContaining(`role/${API_SERVICE}-execution`), taskRoleArn: expect.stringContaining(`role/${API_SERVICE}-task`),
    tags: expect.arrayContaining([{ key: 'Service', value: API_SERVICE }]),
  });
  expect(of(calls, 'ecs', 'UpdateService').map((c) => c.input)).toEqual([{ cluster: API_CLUSTER, service: API_SERVICE, taskDefinition: TD(15) }, { cluster: API_CLUSTER, service: API_SERVICE, taskDefinition: TD(14) }]);

  // The revert: one-time, per incident, deleted after it runs, starting the undo of this incident.
  const [create] = of(calls, 'scheduler', 'CreateSchedule');
  const name = `auth-revert-${r!.incidentId}`;
  expect(create!.input).toMatchObject({
    Name: name, ScheduleExpression: expect.stringMatching(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/), ActionAfterCompletion: 'DELETE', FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: expect.stringMatching(/:stateMachine:runbook-autopilot-drill-undo$/), RoleArn: expect.stringMatching(/:role\/runbook-autopilot-drill-auth-revert-scheduler$/), Input: JSON.stringify({ incidentId: r!.incidentId, requestedBy: `scheduled revert (${name})` }) },
  });
  const at = /^at\((.+)\)$/.exec(String(create!.input.ScheduleExpression))![1];
  // The P1 follow-up: the hard rule bypassed, until when, and how to end it early or keep it.
  const [page] = pagesOf(calls);
  for (const text of ['P1 follow-up: a hard rule is bypassed', 'ALPHASWARM_AUTH_ENFORCE=permissive', `until ${at}Z`, `npm run undo -- ${r!.incidentId}`, `delete-schedule --name ${name}`]) expect(page).toContain(text);
  expect(serviceIn(r, 'after')).toMatchObject({ taskDefinition: `${API_SERVICE}:15`, schedules: [`${name} at(${at})`] });

  // The early revert: no approver asked even in prod (it ends what was approved), the schedule deleted first, then the strict revision back.
  expect(r!.undo).toMatchObject({ outcome: 'remediated', restored: true });
  expect(r!.undo!.actions.map((a) => [a.operation, a.status])).toEqual([['scheduler:DeleteSchedule', 'succeeded'], ['ecs:UpdateService', 'succeeded']]);
  expect(of(calls, 'scheduler', 'DeleteSchedule').map((c) => c.input)).toEqual([expect.objectContaining({ Name: name })]);
  expect(r!.undo!.timeline.filter((t) => t.state === 'Ask to undo: wait for approvers' && t.event === 'requested').map((t) => t.detail)).toEqual([
    expect.stringContaining('recorded as auto-approved (the revert puts enforced auth back'),
  ]);
});

test('an operator UI not firewalled at the ingress: the critical page says why, and nothing is changed', async () => {
  const { results: [r] } = await scenarioDrill('auth-degraded-mode', 'auth-operator-ui-not-firewalled');

  expect(r).toMatchObject({ outcome: 'skipped', notifications: [{ outcome: 'skipped', topic: 'critical' }], actions: [] });
  expect(r!.reason).toContain('is not firewalled at the ingress (config operatorUiFirewalled: false)');
  expect(mutations(callsOf(r))).toEqual([]);
  expect(serviceIn(r, 'after').taskDefinition).toBe(`${API_SERVICE}:14`);
});

test('the scheduled revert firing: EventBridge Scheduler starts the undo, which puts the strict revision back and verifies it; the schedule deleted itself', async () => {
  const { results: [r] } = await scenarioDrill('auth-degraded-mode', 'auth-scheduled-revert-fires');

  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.undo).toMatchObject({ outcome: 'remediated', requestedBy: `scheduled revert (auth-revert-${r!.incidentId})`, restored: true });
  expect(r!.undo!.actions.map((a) => [a.operation, a.status, a.after])).toEqual([['ecs:UpdateService', 'succeeded', { taskDefinition: TD(14) }]]);
  // Nothing to delete: the schedule ran and deleted itself (ActionAfterCompletion DELETE).
  expect(of(callsOf(r), 'scheduler', 'DeleteSchedule')).toEqual([]);
  expect(r!.undo!.resources).toEqual([expect.objectContaining({ name: SERVICE, equalsStart: true, afterUndo: expect.objectContaining({ taskDefinition: `${API_SERVICE}:14`, schedules: null }) })]);
});
