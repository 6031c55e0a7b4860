import { AwsError } from './aws-error';
import { epochSeconds } from './common';
import { scale } from './ecs-rollout';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import type { AccountState, ScalableTargetState } from './state';

/**
 * Application Auto Scaling (JSON 1.1): DescribeScalableTargets and RegisterScalableTarget for ECS
 * services' desired count. As AWS does: a new target needs both capacities; an update changes only
 * what it names; the minimum may not exceed the maximum; registering moves the service's desired
 * count into the new range at once (a scaling activity), so a raised minimum starts tasks.
 */

const validation = (message: string) => new AwsError('ValidationException', 400, message);
const NAMESPACES = ['ecs', 'elasticmapreduce', 'ec2', 'appstream', 'dynamodb', 'rds', 'sagemaker', 'custom-resource', 'comprehend', 'lambda', 'cassandra', 'kafka', 'elasticache', 'neptune', 'workspaces'];
const ECS_DIMENSION = 'ecs:service:DesiredCount';
/** service/CLUSTER/SERVICE, as Application Auto Scaling names an ECS service. */
const ECS_RESOURCE = /^service\/([^/]+)\/([^/]+)$/;

const keyOf = (namespace: string, resourceId: string, dimension: string) => `${namespace}|${resourceId}|${dimension}`;
const targets = (state: AccountState): Record<string, ScalableTargetState> => (state.applicationAutoScaling ??= { scalableTargets: {} }).scalableTargets;

function namespaceOf(fields: Fields): string {
  const namespace = fields.string('ServiceNamespace');
  if (!NAMESPACES.includes(namespace)) {
    throw validation(`1 validation error detected: Value '${namespace}' at 'serviceNamespace' failed to satisfy constraint: Member must satisfy enum value set: [${NAMESPACES.join(', ')}]`);
  }
  return namespace;
}

function targetOutput(state: AccountState, t: ScalableTargetState): Output {
  return {
    ServiceNamespace: t.serviceNamespace, ResourceId: t.resourceId, ScalableDimension: t.scalableDimension,
    MinCapacity: t.minCapacity, MaxCapacity: t.maxCapacity, RoleARN: t.roleArn, CreationTime: epochSeconds(t.createdAt),
    SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
    ScalableTargetARN: `arn:aws:application-autoscaling:${state.region}:${state.accountId}:scalable-target/${t.resourceId.replace(/\//g, '-')}`,
  };
}

function describeScalableTargets(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input, (m, c) => validation(`${m}: ${c}`));
  const namespace = namespaceOf(fields);
  const resourceIds = fields.optStrings('ResourceIds');
  const dimension = fields.optString('ScalableDimension');
  const found = Object.values(targets(state)).filter((t) => t.serviceNamespace === namespace
    && (resourceIds === undefined || resourceIds.length === 0 || resourceIds.includes(t.resourceId))
    && (dimension === undefined || t.scalableDimension === dimension));
  return { ScalableTargets: found.map((t) => targetOutput(state, t)) };
}

function registerScalableTarget(input: Input, ctx: ServiceContext): Output {
  const { state } = ctx;
  const fields = new Fields(input, (m, c) => validation(`${m}: ${c}`));
  const namespace = namespaceOf(fields);
  const resourceId = fields.string('ResourceId');
  const dimension = fields.string('ScalableDimension');
  const min = fields.optInt('MinCapacity');
  const max = fields.optInt('MaxCapacity');
  if ((min !== undefined && min < 0) || (max !== undefined && max < 0)) throw validation('Capacity must be a non-negative integer');
  // Only ECS services are modelled: their resource must exist, as AWS checks it.
  const ecs = namespace === 'ecs' && dimension === ECS_DIMENSION ? ECS_RESOURCE.exec(resourceId) : null;
  if (!ecs) throw validation(`Unsupported service namespace, resource type or scalable dimension: ${namespace} ${resourceId} ${dimension}`);
  const [, clusterName, serviceName] = ecs as unknown as [string, string, string];
  const service = state.ecs.clusters[clusterName]?.services[serviceName];
  if (!service || service.status !== 'ACTIVE') throw validation(`ECS service doesn't exist: ${resourceId}`);
  const key = keyOf(namespace, resourceId, dimension);
  const existing = targets(state)[key];
  if (!existing && (min === undefined || max === undefined)) {
    throw validation('MinCapacity and MaxCapacity are required when registering a new scalable target');
  }
  const next = { min: min ?? existing!.minCapacity, max: max ?? existing!.maxCapacity };
  if (next.min > next.max) throw validation('Minimum capacity cannot be greater than maximum capacity');
  targets(state)[key] = {
    serviceNamespace: namespace, resourceId, scalableDimension: dimension, minCapacity: next.min, maxCapacity: next.max,
    roleArn: fields.optString('RoleARN') ?? existing?.roleArn
      ?? `arn:aws:iam::${state.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
    createdAt: existing?.createdAt ?? ctx.now().toISOString(),
  };
  // The scaling activity a new range starts: the desired count moves inside [min, max].
  const desired = Math.min(Math.max(service.desiredCount, next.min), next.max);
  if (desired !== service.desiredCount) scale(ctx, serviceName, service, desired);
  return { ScalableTargetARN: targetOutput(state, targets(state)[key]!).ScalableTargetARN };
}

export const applicationAutoScalingModel: ServiceModel = {
  protocol: 'awsJson1_1',
  target: 'AnyScaleFrontendService',
  operations: {
    DescribeScalableTargets: { mutating: false, run: describeScalableTargets },
    RegisterScalableTarget: { mutating: true, run: registerScalableTarget },
  },
};
