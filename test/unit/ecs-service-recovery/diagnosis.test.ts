import { rolloutProgress, type ServiceEventView, type ServiceState, type StoppedTaskView } from '../../../lambdas/aws/ecs';
import { classifyMessage, diagnoseService, eventsSinceSteadyState } from '../../../runbooks/ecs-service-recovery/diagnosis';

const SERVICE = 'alphaswarm-admin-prod';
const DEPLOYMENT = 'ecs-svc/8429131628562915112';
const ECR = '111122223333.dkr.ecr.sa-east-1.amazonaws.com/alphaswarm-admin';

/** A service down after its deployment completed (seed 000 "ECS Fargate service down"): tasks lost since. */
const state = (overrides: Partial<ServiceState> = {}): ServiceState => ({
  desiredCount: 2, runningCount: 0, pendingCount: 0, deploymentCount: 1,
  primary: { id: DEPLOYMENT, rolloutState: 'COMPLETED', taskDefinition: 'alphaswarm-admin-prod:42' },
  ...overrides,
});
let minute = 0;
const event = (message: string): ServiceEventView => ({ createdAt: `2026-11-23T03:${String(59 - ++minute).padStart(2, '0')}:00.000Z`, message });
const task = (stoppedReason: string, containerReasons: string[] = [], overrides: Partial<StoppedTaskView> = {}): StoppedTaskView => ({
  taskArn: `arn:aws:ecs:sa-east-1:111122223333:task/alphaswarm-cluster-prod/${(++minute).toString(16).padStart(32, '0')}`,
  stoppedReason, stopCode: 'TaskFailedToStart', containerReasons, startedBy: DEPLOYMENT, ...overrides,
});

describe('causes a redeploy cannot fix', () => {
  test('an image manifest that cannot be resolved (tag gone from ECR)', () => {
    const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${ECR}:sha-4f1c2d9: ${ECR}:sha-4f1c2d9: not found`;

    const d = diagnoseService(state(), [], [task(reason)]);

    expect(d).toEqual({ cause: 'image-pull', redeployCanFix: false, healthy: false, verdict: `A redeploy cannot fix an image pull failure: "${reason}"` });
  });

  test('a registry that cannot be reached (no route to ECR from the subnet)', () => {
    const reason = 'CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReaderSeeker: failed open: unexpected status code';

    expect(diagnoseService(state(), [], [task(reason)])).toMatchObject({ cause: 'image-pull', redeployCanFix: false });
  });

  test('ECR registry auth that cannot be fetched is an image pull failure, though it arrives as ResourceInitializationError', () => {
    const reason = 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed';

    expect(diagnoseService(state(), [], [task(reason)])).toMatchObject({ cause: 'image-pull', redeployCanFix: false });
  });

  test('a Secrets Manager secret the execution role may not read', () => {
    const reason = 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:sa-east-1:111122223333:secret:alphaswarm/prod/db-AbCdEf from secrets manager: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/alphaswarm-admin-exec/abc is not authorized to perform: secretsmanager:GetSecretValue';

    const d = diagnoseService(state(), [], [task(reason)]);

    expect(d).toEqual({ cause: 'secrets', redeployCanFix: false, healthy: false, verdict: `A redeploy cannot fix a secrets resolution failure: "${reason}"` });
  });

  test('an SSM parameter that cannot be retrieved', () => {
    const reason = 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 5 time(s): RequestCanceled: request context canceled caused by: context deadline exceeded';

    expect(diagnoseService(state(), [], [task(reason)])).toMatchObject({ cause: 'secrets', redeployCanFix: false });
  });

  test('a secrets failure seen only in the service events (the task never got an ARN worth listing)', () => {
    const message = `(service ${SERVICE}) was unable to place a task because ResourceInitializationError: unable to retrieve secret from asm: AccessDeniedException`;

    expect(diagnoseService(state(), [event(message)], [])).toMatchObject({ cause: 'secrets', redeployCanFix: false, verdict: expect.stringContaining(message) });
  });

  test('a pull failure outranks the "Essential container in task exited" of a sidecar in other tasks', () => {
    const pull = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${ECR}:latest`;
    const tasks = [task('Essential container in task exited', ['adot-collector: exit code 1'], { stopCode: 'EssentialContainerExited' }), task(pull)];

    expect(diagnoseService(state(), [], tasks)).toMatchObject({ cause: 'image-pull', verdict: expect.stringContaining(pull) });
  });
});

describe('causes a redeploy may fix', () => {
  test('tasks failing the load balancer health check', () => {
    const reason = 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:sa-east-1:111122223333:targetgroup/alphaswarm-admin/0123456789abcdef)';

    const d = diagnoseService(state(), [], [task(reason, [], { stopCode: 'ServiceSchedulerInitiated' })]);

    expect(d).toEqual({ cause: 'health-check', redeployCanFix: true, healthy: false, verdict: `Tasks are failing health checks; a fresh deployment may recover them: "${reason}"` });
  });

  test('an unhealthy target reported in the service events', () => {
    const message = `(service ${SERVICE}) (port 8000) is unhealthy in (target-group arn:aws:elasticloadbalancing:sa-east-1:111122223333:targetgroup/alphaswarm-admin/0123456789abcdef) due to (reason Health checks failed with these codes: [502]).`;

    expect(diagnoseService(state({ runningCount: 1 }), [event(message)], [])).toMatchObject({ cause: 'health-check', redeployCanFix: true });
  });

  test('an essential container that exited, with its container reason quoted', () => {
    const d = diagnoseService(state(), [], [task('Essential container in task exited', [], { stopCode: 'EssentialContainerExited' })]);

    expect(d).toMatchObject({ cause: 'essential-container-exited', redeployCanFix: true, verdict: expect.stringContaining('"Essential container in task exited"') });
  });

  test('a container killed for memory: the container reason wins over the task reason', () => {
    const d = diagnoseService(state(), [], [
      task('Essential container in task exited', ['admin: OutOfMemoryError: Container killed due to memory usage'], { stopCode: 'EssentialContainerExited' }),
    ]);

    expect(d).toMatchObject({ cause: 'out-of-memory', redeployCanFix: true, verdict: expect.stringContaining('"admin: OutOfMemoryError: Container killed due to memory usage"') });
  });

  test('unhealthy with no cause named anywhere: unknown, redeploy is the runbook step', () => {
    const message = `(service ${SERVICE}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`;

    const d = diagnoseService(state(), [event(message)], []);

    expect(d).toMatchObject({ cause: 'unknown', redeployCanFix: true, healthy: false });
    expect(d.verdict).toContain('0 of 2 tasks running');
    expect(d.verdict).toContain(message);
  });

  test('fewer tasks running than desired and nothing to go on is unknown too', () => {
    expect(diagnoseService(state({ runningCount: 1, primary: { id: DEPLOYMENT, rolloutState: 'COMPLETED', taskDefinition: null } }), [], []))
      .toMatchObject({ cause: 'unknown', redeployCanFix: true, healthy: false });
  });
});

describe('a primary deployment whose rollout failed or is still in progress is never redeployed', () => {
  const primary = (rolloutState: string) => ({ primary: { id: DEPLOYMENT, rolloutState, taskDefinition: 'arn:aws:ecs:sa-east-1:111122223333:task-definition/alphaswarm-admin-prod:43' } });
  const unhealthy = task('Task failed ELB health checks in (target-group arn:tg)', [], { stopCode: 'ServiceSchedulerInitiated' });

  test('a FAILED rollout with tasks failing health checks: a rollback, not a redeploy of the same task definition', () => {
    const d = diagnoseService(state(primary('FAILED')), [], [unhealthy]);

    expect(d).toEqual({
      cause: 'rollout-failed', redeployCanFix: false, healthy: false,
      verdict: `The rollout of deployment ${DEPLOYMENT} (alphaswarm-admin-prod:43) FAILED (0 of 2 tasks running): it needs a rollback to the last task definition that worked, not a redeploy of the same task definition; nothing was changed.`,
    });
  });

  test('a FAILED rollout with no cause named anywhere', () => {
    expect(diagnoseService(state(primary('FAILED')), [], [])).toMatchObject({ cause: 'rollout-failed', redeployCanFix: false });
  });

  test('a rollout IN_PROGRESS: a forced deployment would restart it', () => {
    const d = diagnoseService(state({ runningCount: 1, deploymentCount: 2, ...primary('IN_PROGRESS') }), [], [unhealthy]);

    expect(d).toMatchObject({ cause: 'rollout-in-progress', redeployCanFix: false, healthy: false });
    expect(d.verdict).toContain('still IN_PROGRESS (1 of 2 tasks running)');
  });

  test('a cause no redeploy can fix still names itself on a failed rollout', () => {
    const pull = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${ECR}:v1.4.3`;

    expect(diagnoseService(state(primary('FAILED')), [], [task(pull)])).toMatchObject({ cause: 'image-pull', redeployCanFix: false });
  });
});

describe('healthy', () => {
  const completed = state({ runningCount: 2, primary: { id: DEPLOYMENT, rolloutState: 'COMPLETED', taskDefinition: null } });

  test('all tasks running, rollout completed, a steady state last', () => {
    const d = diagnoseService(completed, [event(`(service ${SERVICE}) has reached a steady state.`)], []);

    expect(d).toEqual({ cause: 'none', redeployCanFix: true, healthy: true, verdict: 'Healthy: 2 of 2 tasks running, rollout COMPLETED, no failure in the recent service events.' });
  });

  test('failures older than the latest steady state were resolved and do not count', () => {
    const events = [
      event(`(service ${SERVICE}) has reached a steady state.`),
      event(`(service ${SERVICE}) (port 8000) is unhealthy in (target-group arn:tg) due to (reason Request timed out).`),
    ];

    expect(diagnoseService(completed, events, [])).toMatchObject({ healthy: true });
  });

  test('a failure after the latest steady state makes it unhealthy, whatever the counts say', () => {
    const events = [
      event(`(service ${SERVICE}) (port 8000) is unhealthy in (target-group arn:tg) due to (reason Request timed out).`),
      event(`(service ${SERVICE}) has reached a steady state.`),
    ];

    expect(diagnoseService(completed, events, [])).toMatchObject({ healthy: false, cause: 'health-check' });
  });

  test('a rollout still in progress is not healthy even at full count (old tasks keep serving)', () => {
    const inProgress = state({ runningCount: 2, deploymentCount: 2, primary: { id: DEPLOYMENT, rolloutState: 'IN_PROGRESS', taskDefinition: null } });
    expect(diagnoseService(inProgress, [], [])).toMatchObject({ healthy: false });
  });

  test('with no rollout state reported, a single deployment at full count is healthy', () => {
    expect(diagnoseService(state({ runningCount: 2, primary: { id: DEPLOYMENT, rolloutState: null, taskDefinition: null } }), [], []))
      .toMatchObject({ healthy: true });
  });

  test('started by the service\'s heartbeat alarm: healthy to ECS, restarted all the same (seed 004 "Stale Heartbeat")', () => {
    const d = diagnoseService(completed, [event(`(service ${SERVICE}) has reached a steady state.`)], [], 'admin-heartbeat-stale');

    expect(d).toEqual({
      cause: 'stale-heartbeat', redeployCanFix: true, healthy: false,
      verdict: 'ECS reports the service healthy (2 of 2 tasks running, rollout COMPLETED), but its heartbeat alarm admin-heartbeat-stale is in ALARM: the application in its running tasks stopped reporting; a fresh deployment restarts them.',
    });
  });

  test('a stale heartbeat decides nothing over what ECS itself names: an unhealthy service keeps its cause', () => {
    const pull = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${ECR}:v1.4.3`;

    expect(diagnoseService(state(), [], [task(pull)], 'admin-heartbeat-stale')).toMatchObject({ cause: 'image-pull', redeployCanFix: false });
    const inProgress = state({ runningCount: 2, deploymentCount: 2, primary: { id: DEPLOYMENT, rolloutState: 'IN_PROGRESS', taskDefinition: null } });
    expect(diagnoseService(inProgress, [], [], 'admin-heartbeat-stale')).toMatchObject({ cause: 'rollout-in-progress', redeployCanFix: false });
  });

  test('stopped tasks of an earlier deployment do not decide the cause of the current one', () => {
    const old = task(`CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${ECR}:old`, [], { startedBy: 'ecs-svc/1111111111111111111' });
    const current = task('Task failed ELB health checks in (target-group arn:tg)', [], { stopCode: 'ServiceSchedulerInitiated' });

    expect(diagnoseService(state(), [], [current, old])).toMatchObject({ cause: 'health-check', redeployCanFix: true });
  });
});

test('events since the latest steady state, newest first', () => {
  const newer = event('(service s) has started 1 tasks: (task abc).');
  const steady = event('(service s) has reached a steady state.');
  const older = event('(service s) has stopped 1 running tasks: (task def).');

  expect(eventsSinceSteadyState([newer, steady, older])).toEqual([newer]);
  expect(eventsSinceSteadyState([newer, older])).toEqual([newer, older]);
});

test.each([
  ['CannotPullContainerError: API error (404): repository 111122223333.dkr.ecr.sa-east-1.amazonaws.com/admin not found', 'image-pull'],
  ['ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching secret from the service for dockerhub-creds: RequestError', 'secrets'],
  ['Task failed container health checks', 'health-check'],
  [`(service ${SERVICE}) has reached a steady state.`, undefined],
  [`(service ${SERVICE}) has started 2 tasks: (task 1) (task 2).`, undefined],
])('classifies %j as %s', (message, cause) => {
  expect(classifyMessage(message)).toBe(cause);
});

describe('rollout progress', () => {
  const primary = (rolloutState: string | null) => ({ id: DEPLOYMENT, rolloutState, taskDefinition: null });

  test('COMPLETED with every desired task running is done', () => {
    expect(rolloutProgress({ desiredCount: 2, runningCount: 2, deploymentCount: 1, primary: primary('COMPLETED') }, 0, 15, 900))
      .toEqual({ attempt: 1, done: true, failed: false, timedOut: false });
  });

  test('IN_PROGRESS keeps polling', () => {
    expect(rolloutProgress({ desiredCount: 2, runningCount: 1, deploymentCount: 2, primary: primary('IN_PROGRESS') }, 3, 15, 900))
      .toEqual({ attempt: 4, done: false, failed: false, timedOut: false });
  });

  test('FAILED is failed', () => {
    expect(rolloutProgress({ desiredCount: 2, runningCount: 0, deploymentCount: 2, primary: primary('FAILED') }, 3, 15, 900))
      .toMatchObject({ done: false, failed: true });
  });

  test('times out when the polls add up to the timeout', () => {
    const inProgress = { desiredCount: 2, runningCount: 1, deploymentCount: 2, primary: primary('IN_PROGRESS') };
    expect(rolloutProgress(inProgress, 58, 15, 900)).toMatchObject({ attempt: 59, timedOut: false });
    expect(rolloutProgress(inProgress, 59, 15, 900)).toMatchObject({ attempt: 60, timedOut: true });
  });

  test('a completed rollout on another task definition than the one waited for is not done, and times out like any other', () => {
    const completed = { desiredCount: 2, runningCount: 2, deploymentCount: 1, primary: primary('COMPLETED') };
    expect(rolloutProgress(completed, 3, 15, 900, false)).toEqual({ attempt: 4, done: false, failed: false, timedOut: false });
    expect(rolloutProgress(completed, 59, 15, 900, false)).toEqual({ attempt: 60, done: false, failed: false, timedOut: true });
    expect(rolloutProgress(completed, 59, 15, 900, true)).toEqual({ attempt: 60, done: true, failed: false, timedOut: false });
  });
});
