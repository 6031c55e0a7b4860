import 'aws-sdk-client-mock-jest';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand, type TaskDefinition } from '@aws-sdk/client-ecs';
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { seedApprovalRequest } from '../../support/approval-requests';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';
import { ledgerHarness } from '../../support/ledger-harness';

const ecs = mockClient(ECSClient);
const scheduler = mockClient(SchedulerClient);
const SERVICE = 'alphaswarm-cluster-prod/alphaswarm-api-prod';
const TD = (n: number) => `arn:aws:ecs:sa-east-1:111122223333:task-definition/alphaswarm-api-prod:${n}`;
const UNDO = 'arn:aws:states:sa-east-1:111122223333:stateMachine:runbook-autopilot-test-undo';
const ROLE = 'arn:aws:iam::111122223333:role/runbook-autopilot-test-auth-revert-scheduler';
const h = ledgerHarness('d', {
  env: {
    ALLOWED_TARGETS: JSON.stringify([SERVICE]), AUTH_VARIABLE: 'ALPHASWARM_AUTH_ENFORCE', PERMISSIVE_VALUE: 'permissive', DEGRADE_ON_TIMEOUT: 'abort',
    REVERT_AFTER_MINUTES: '120', UNDO_STATE_MACHINE_ARN: UNDO, SCHEDULER_ROLE_ARN: ROLE,
  },
});
type Handler = (event: unknown, context: typeof lambdaContext) => Promise<Record<string, unknown>>;
let register: Handler;
let degrade: Handler;
let schedule: Handler;
let store: ApprovalStore;
let incidentId: string;

beforeAll(async () => {
  register = (await import('../../../runbooks/auth-degraded-mode/handlers/register')).handler as unknown as Handler;
  degrade = (await import('../../../runbooks/auth-degraded-mode/handlers/degrade')).handler as unknown as Handler;
  schedule = (await import('../../../runbooks/auth-degraded-mode/handlers/schedule')).handler as unknown as Handler;
  store = new ApprovalStore('ledger', h.dynamo.client);
});

const definition = (revision: number, value: string): TaskDefinition => ({
  taskDefinitionArn: TD(revision), family: 'alphaswarm-api-prod', revision, cpu: '1024', memory: '2048', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc',
  executionRoleArn: 'arn:aws:iam::111122223333:role/exec', status: 'ACTIVE', registeredAt: new Date(0),
  containerDefinitions: [{ name: 'alphaswarm-api', image: 'img@sha256:1', environment: [{ name: 'ALPHASWARM_AUTH_ENFORCE', value }], secrets: [{ name: 'DB', valueFrom: 'arn:secret' }] }],
});
const TAGS = [{ key: 'Service', value: 'alphaswarm-api-prod' }];
const service = (taskDefinition: string) => ({ services: [{ serviceName: 'alphaswarm-api-prod', status: 'ACTIVE', taskDefinition, desiredCount: 3, runningCount: 3, deployments: [] }] });
const call = { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-api-prod', from: TD(14), container: 'alphaswarm-api', variable: 'ALPHASWARM_AUTH_ENFORCE', value: 'permissive' };
const base = () => ({ incident: incident({ id: incidentId, runbook: 'auth-degraded-mode', target: SERVICE }), execution: { id: EXECUTION_ARN } });
async function approved(): Promise<{ decision: 'approved'; requestId: string }> {
  const requestId = await seedApprovalRequest(store, {
    requestId: `apr-${incidentId.slice(4).padStart(32, '0')}`, incidentId, status: 'approved',
    gate: { runbook: 'auth-degraded-mode', step: 'degrade-auth', summary: 's', firedAt: 'f', operation: 'ecs:UpdateService', target: SERVICE, parameters: call, evidence: null, severity: 'P1' },
  });
  return { decision: 'approved', requestId };
}

beforeEach(() => {
  ecs.reset();
  scheduler.reset();
  incidentId = h.nextIncidentId();
});

describe('register the permissive revision', () => {
  test('records the running revision first, then registers it with only the variable permissive (roles, size, secret references and tags kept)', async () => {
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: TD(14) }).resolves({ taskDefinition: definition(14, 'strict'), tags: TAGS });
    let intentAtRegister: unknown;
    ecs.on(RegisterTaskDefinitionCommand).callsFake(async () => {
      intentAtRegister = (await h.ledger.listActions(incidentId)).map((r) => [r.operation, r.status, r.before]);
      return { taskDefinition: definition(15, 'permissive'), tags: TAGS };
    });

    const out = await register({ ...base(), call, approval: await approved() }, lambdaContext);

    expect(intentAtRegister).toEqual([['ecs:RegisterTaskDefinition', 'intent', { taskDefinition: TD(14) }]]);
    const [registered] = ecs.commandCalls(RegisterTaskDefinitionCommand);
    expect(registered!.args[0].input).toEqual({
      family: 'alphaswarm-api-prod', cpu: '1024', memory: '2048', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', executionRoleArn: 'arn:aws:iam::111122223333:role/exec',
      containerDefinitions: [{ name: 'alphaswarm-api', image: 'img@sha256:1', environment: [{ name: 'ALPHASWARM_AUTH_ENFORCE', value: 'permissive' }], secrets: [{ name: 'DB', valueFrom: 'arn:secret' }] }],
      tags: TAGS,
    });
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
    expect(out).toMatchObject({ before: { taskDefinition: TD(14) }, after: { taskDefinition: TD(15) }, registered: TD(15), from: TD(14) });
  });

  test('a retry after the registration answered nothing finds its own revision (the family newest, derived) and registers no second one', async () => {
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: TD(14) }).resolves({ taskDefinition: definition(14, 'strict'), tags: TAGS });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'alphaswarm-api-prod' }).resolves({ taskDefinition: definition(15, 'permissive'), tags: TAGS });
    ecs.on(RegisterTaskDefinitionCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} }));
    const approval = await approved();
    await expect(register({ ...base(), call, approval }, lambdaContext)).rejects.toBeDefined();
    expect(ecs).toHaveReceivedCommandTimes(RegisterTaskDefinitionCommand, 1);

    const out = await register({ ...base(), call, approval }, lambdaContext);

    expect(ecs).toHaveReceivedCommandTimes(RegisterTaskDefinitionCommand, 1);
    expect(out).toMatchObject({ registered: TD(15), after: { taskDefinition: TD(15) } });
  });

  test('a change that sets another value than the configured permissive one is refused before any call', async () => {
    await expect(register({ ...base(), call: { ...call, value: 'off' }, approval: await approved() }, lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(ecs.calls()).toHaveLength(0);
  });
});

describe('deploy it', () => {
  const step = async () => ({ ...base(), call, approval: await approved(), registered: TD(15), summary: 's' });

  test('records the running revision first, then points the service at the permissive one', async () => {
    ecs.on(DescribeServicesCommand).resolves(service(TD(14)));
    let intentAtUpdate: unknown;
    ecs.on(UpdateServiceCommand).callsFake(async () => {
      intentAtUpdate = (await h.ledger.listActions(incidentId)).map((r) => [r.operation, r.status, r.before]);
      return { service: service(TD(15)).services[0] };
    });

    const out = await degrade(await step(), lambdaContext);

    expect(intentAtUpdate).toEqual([['ecs:UpdateService', 'intent', { taskDefinition: TD(14) }]]);
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-api-prod', taskDefinition: TD(15) });
    expect(out).toMatchObject({ before: { taskDefinition: TD(14) }, after: { taskDefinition: TD(15) }, registered: TD(15), from: TD(14) });
  });

  test('a service deployed since the diagnosis is refused (ChangeRejected): nothing deployed', async () => {
    ecs.on(DescribeServicesCommand).resolves(service(TD(16)));

    await expect(degrade(await step(), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected' });
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
  });

  test("a revision of another family, or the source itself, is refused before any call", async () => {
    const input = await step();
    for (const registered of [TD(14), 'arn:aws:ecs:sa-east-1:111122223333:task-definition/other:3']) {
      await expect(degrade({ ...input, registered }, lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput' });
    }
    expect(ecs.calls()).toHaveLength(0);
  });
});

describe('schedule the revert', () => {
  const input = (incidentIdOf: string) => JSON.stringify({ incidentId: incidentIdOf, requestedBy: `scheduled revert (auth-revert-${incidentIdOf})` });

  test('creates one schedule per incident: one-time at(), deleted after it runs, starting the undo with this incident', async () => {
    scheduler.on(GetScheduleCommand).rejects(new ResourceNotFoundException({ message: 'Schedule x does not exist.', Message: 'Schedule x does not exist.', $metadata: {} }));
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    const before = Date.now();

    const out = await schedule(base(), lambdaContext);

    const [create] = scheduler.commandCalls(CreateScheduleCommand);
    expect(create!.args[0].input).toMatchObject({
      Name: `auth-revert-${incidentId}`, GroupName: 'default', ActionAfterCompletion: 'DELETE', FlexibleTimeWindow: { Mode: 'OFF' }, State: 'ENABLED',
      Target: { Arn: UNDO, RoleArn: ROLE, Input: input(incidentId) },
    });
    const at = Date.parse(`${/^at\((.+)\)$/.exec(String(create!.args[0].input.ScheduleExpression))![1]}Z`);
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 120 * 60_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 120 * 60_000);
    expect(out).toMatchObject({ schedule: `auth-revert-${incidentId}`, replayed: false });
  });

  test("a ConflictException on this incident's schedule (a re-run found it) carries on with it", async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    scheduler.on(GetScheduleCommand).resolves({ Name: `auth-revert-${incidentId}`, ScheduleExpression: 'at(2026-12-07T02:00:00)', Target: { Arn: UNDO, RoleArn: ROLE, Input: input(incidentId) } });

    const out = await schedule(base(), lambdaContext);

    expect(out).toMatchObject({ after: { Name: `auth-revert-${incidentId}`, ScheduleExpression: 'at(2026-12-07T02:00:00)' }, revertAt: '2026-12-07T02:00:00Z' });
    // Whose it is was read by this incident's schedule name, in the group it was created in.
    expect(new Set(scheduler.commandCalls(GetScheduleCommand).map((c) => JSON.stringify(c.args[0].input))))
      .toEqual(new Set([JSON.stringify({ Name: `auth-revert-${incidentId}`, GroupName: 'default' })]));
  });

  test("a schedule by that name that does not revert this incident is refused (ChangeRejected), never overwritten", async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    scheduler.on(GetScheduleCommand).resolves({ Name: `auth-revert-${incidentId}`, ScheduleExpression: 'at(2026-12-07T02:00:00)', Target: { Arn: UNDO, RoleArn: ROLE, Input: input('inc-ffffffffffffffff') } });

    await expect(schedule(base(), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected' });
    expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
    expect(scheduler).toHaveReceivedCommandTimes(DeleteScheduleCommand, 0);
  });
});
