import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { ADMIN_SERVICE, ECS_CLUSTER, PROXY_SERVICE, type StateOverride } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const cluster = ECS_CLUSTER;

function scenario(override?: StateOverride) {
  const sandbox = useSandbox(override);
  const ecs = () => new ECSClient(clientConfig(sandbox()));
  const describe = async (service: string): Promise<Service> => {
    const out = await ecs().send(new DescribeServicesCommand({ cluster, services: [service] }));
    const svc = out.services?.[0];
    if (svc === undefined) throw new Error(`${service} not described`);
    return svc;
  };
  const stoppedTasks = async (service: string) => {
    const { taskArns = [] } = await ecs().send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED' }));
    const { tasks = [] } = await ecs().send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
    return tasks;
  };
  return { sandbox, ecs, describe, stoppedTasks };
}

const primary = (svc: Service) => svc.deployments?.find((d) => d.status === 'PRIMARY');

describe('the seeded services', () => {
  const { ecs, describe, stoppedTasks } = scenario();

  test('admin has no running tasks, a rollout the circuit breaker failed and ECS\'s health-check events, newest first', async () => {
    const svc = await describe(ADMIN_SERVICE);

    expect(svc).toMatchObject({ serviceName: ADMIN_SERVICE, status: 'ACTIVE', desiredCount: 2, runningCount: 0, pendingCount: 0 });
    expect(primary(svc)).toMatchObject({ rolloutState: 'FAILED', failedTasks: 4 });
    expect(svc.events?.[0]?.message).toMatch(/^\(service alphaswarm-admin-prod\) has stopped 2 running tasks: \(task \w+\) \(task \w+\)\.$/);
    expect(svc.events?.some((e) => e.message?.includes('is unhealthy in (target-group arn:aws:elasticloadbalancing:'))).toBe(true);
    const times = (svc.events ?? []).map((e) => e.createdAt?.getTime() ?? 0);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  test('admin\'s stopped tasks say they failed ELB health checks', async () => {
    const tasks = await stoppedTasks(ADMIN_SERVICE);

    expect(tasks).toHaveLength(4);
    for (const task of tasks) {
      expect(task.stoppedReason).toMatch(/^Task failed ELB health checks in \(target-group arn:aws:elasticloadbalancing:sa-east-1:111122223333:targetgroup\//);
      expect(task).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated', group: `service:${ADMIN_SERVICE}` });
    }
  });

  test('the proxy is healthy with two running tasks', async () => {
    const svc = await describe(PROXY_SERVICE);
    const { taskArns = [] } = await ecs().send(new ListTasksCommand({ cluster, serviceName: PROXY_SERVICE }));

    expect(svc).toMatchObject({ desiredCount: 2, runningCount: 2 });
    expect(primary(svc)?.rolloutState).toBe('COMPLETED');
    expect(taskArns).toHaveLength(2);
  });

  test('an unknown service comes back in failures as MISSING, as ECS does', async () => {
    const out = await ecs().send(new DescribeServicesCommand({ cluster, services: [ADMIN_SERVICE, 'no-such-service'] }));

    expect(out.services).toHaveLength(1);
    expect(out.failures).toEqual([{ arn: `arn:aws:ecs:sa-east-1:111122223333:service/${cluster}/no-such-service`, reason: 'MISSING' }]);
  });

  test('an unknown cluster is ClusterNotFoundException', async () => {
    const error = await rejectionOf(ecs().send(new DescribeServicesCommand({ cluster: 'no-such-cluster', services: [ADMIN_SERVICE] })));

    expect(error).toBeInstanceOf(ClusterNotFoundException);
    expect(error.message).toBe('Cluster not found.');
  });

  test('DescribeTasks reports an unknown task in failures', async () => {
    const out = await ecs().send(new DescribeTasksCommand({ cluster, tasks: ['0123456789abcdef0123456789abcdef'] }));

    expect(out.tasks).toEqual([]);
    expect(out.failures?.[0]?.reason).toBe('MISSING');
  });

  test('UpdateService on an unknown service is ServiceNotFoundException', async () => {
    const error = await rejectionOf(ecs().send(new UpdateServiceCommand({ cluster, service: 'no-such-service', forceNewDeployment: true })));

    expect(error).toBeInstanceOf(ServiceNotFoundException);
  });

  test('UpdateService on an unknown cluster is ClusterNotFoundException', async () => {
    const error = await rejectionOf(ecs().send(new UpdateServiceCommand({ cluster: 'nope', service: ADMIN_SERVICE, forceNewDeployment: true })));

    expect(error).toBeInstanceOf(ClusterNotFoundException);
  });
});

describe('a forced deployment when tasks fail health checks', () => {
  const { sandbox, ecs, describe } = scenario();

  test('starts a PRIMARY rollout that completes after the configured number of describes', async () => {
    const out = await ecs().send(new UpdateServiceCommand({ cluster, service: ADMIN_SERVICE, forceNewDeployment: true }));

    expect(out.service?.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([
      ['PRIMARY', 'IN_PROGRESS'],
      ['ACTIVE', 'FAILED'],
    ]);
    expect(out.service?.events?.[0]?.message).toMatch(/^\(service alphaswarm-admin-prod\) has started 2 tasks: \(task \w+\) \(task \w+\)\.$/);
    expect(out.service?.pendingCount).toBe(2);

    const first = await describe(ADMIN_SERVICE);
    expect(primary(first)?.rolloutState).toBe('IN_PROGRESS');

    const second = await describe(ADMIN_SERVICE);
    expect(second).toMatchObject({ runningCount: 2, pendingCount: 0, desiredCount: 2 });
    expect(second.deployments).toHaveLength(1);
    expect(primary(second)).toMatchObject({ rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2 });
    expect(second.events?.[0]?.message).toBe('(service alphaswarm-admin-prod) has reached a steady state.');
    expect(sandbox().snapshot().ecs[`${cluster}/${ADMIN_SERVICE}`]).toMatchObject({ runningCount: 2, failure: 'none' });
  });
});

describe('a forced deployment when the image cannot be pulled', () => {
  const { ecs, describe, stoppedTasks } = scenario({
    ecs: { clusters: { [cluster]: { services: { [ADMIN_SERVICE]: { failure: 'image-pull', describesToSettle: 1 } } } } },
  });

  test('fails: the new tasks stop with CannotPullContainerError and nothing runs', async () => {
    await ecs().send(new UpdateServiceCommand({ cluster, service: ADMIN_SERVICE, forceNewDeployment: true }));
    const svc = await describe(ADMIN_SERVICE);
    const tasks = await stoppedTasks(ADMIN_SERVICE);

    expect(svc.runningCount).toBe(0);
    expect(primary(svc)).toMatchObject({ rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', failedTasks: 2 });
    const pullFailures = tasks.filter((t) => t.stopCode === 'TaskFailedToStart');
    expect(pullFailures).toHaveLength(2);
    expect(pullFailures[0]?.containers?.[0]?.reason).toMatch(/^CannotPullContainerError: /);
    expect(pullFailures[0]?.stoppedReason).toMatch(/^CannotPullContainerError: /);
  });

  test('stays failed however often it is described', async () => {
    await ecs().send(new UpdateServiceCommand({ cluster, service: ADMIN_SERVICE, forceNewDeployment: true }));
    for (let i = 0; i < 3; i++) await describe(ADMIN_SERVICE);
    const svc = await describe(ADMIN_SERVICE);

    expect(primary(svc)?.rolloutState).toBe('FAILED');
    expect(svc.runningCount).toBe(0);
  });
});

describe('a forced deployment when secrets cannot be read', () => {
  const { ecs, describe, stoppedTasks } = scenario({
    ecs: { clusters: { [cluster]: { services: { [PROXY_SERVICE]: { failure: 'secrets' } } } } },
  });

  test('fails with ResourceInitializationError while the old tasks keep running', async () => {
    await ecs().send(new UpdateServiceCommand({ cluster, service: PROXY_SERVICE, forceNewDeployment: true }));
    await describe(PROXY_SERVICE);
    const svc = await describe(PROXY_SERVICE);
    const tasks = await stoppedTasks(PROXY_SERVICE);

    expect(primary(svc)?.rolloutState).toBe('FAILED');
    expect(svc.deployments?.find((d) => d.status === 'ACTIVE')).toMatchObject({ runningCount: 2 });
    expect(svc.runningCount).toBe(2);
    expect(tasks[0]?.stoppedReason).toMatch(/^ResourceInitializationError: unable to pull secrets or registry auth/);
  });
});

describe('scaling', () => {
  const { ecs, describe } = scenario();

  test('desiredCount 0 drains the service to a steady state', async () => {
    const out = await ecs().send(new UpdateServiceCommand({ cluster, service: PROXY_SERVICE, desiredCount: 0 }));
    expect(out.service?.desiredCount).toBe(0);

    await describe(PROXY_SERVICE);
    const svc = await describe(PROXY_SERVICE);
    const { taskArns } = await ecs().send(new ListTasksCommand({ cluster, serviceName: PROXY_SERVICE }));

    expect(svc).toMatchObject({ desiredCount: 0, runningCount: 0 });
    expect(svc.events?.[0]?.message).toBe('(service alphaswarm-agentcore-proxy-prod) has reached a steady state.');
    expect(svc.events?.[1]?.message).toMatch(/has stopped 2 running tasks/);
    expect(taskArns).toEqual([]);
  });

  test('a negative desiredCount is InvalidParameterException', async () => {
    const error = await rejectionOf(ecs().send(new UpdateServiceCommand({ cluster, service: PROXY_SERVICE, desiredCount: -1 })));

    expect(error.name).toBe('InvalidParameterException');
  });
});

describe('an inactive service', () => {
  const { ecs } = scenario({ ecs: { clusters: { [cluster]: { services: { [PROXY_SERVICE]: { status: 'INACTIVE' } } } } } });

  test('cannot be updated: ServiceNotActiveException', async () => {
    const error = await rejectionOf(ecs().send(new UpdateServiceCommand({ cluster, service: PROXY_SERVICE, forceNewDeployment: true })));

    expect(error).toBeInstanceOf(ServiceNotActiveException);
    expect(error.message).toBe('Service was not ACTIVE.');
  });
});
