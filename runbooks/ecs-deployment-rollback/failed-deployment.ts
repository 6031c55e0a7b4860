/** The failed deployment an incident of ecs-deployment-rollback is about, checked against its target. */
import { parseServiceKey, type ServiceKey } from '../../lambdas/aws/ecs';
import { TargetNotAllowed } from '../../lambdas/shared/errors';
import type { Incident } from '../../lambdas/shared/task-input';

const SERVICE_ARN = /^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:service\/([^/]+\/[^/]+)$/;
const DEPLOYMENT_ID = /^ecs-svc\/\d+$/;

/**
 * The service and the deployment id the event named (admit puts them on the incident), refused
 * unless the service is the incident's target: a hand-started run naming another acts on nothing.
 */
export function failedDeploymentOf(incident: Incident): { readonly key: ServiceKey; readonly deploymentId: string } {
  const arn = incident.source.arn ?? '';
  const service = SERVICE_ARN.exec(arn)?.[1];
  if (service === undefined) throw new TargetNotAllowed(`the incident names no ECS service (${arn || 'no ARN'})`);
  if (service !== incident.target) throw new TargetNotAllowed(`${arn} is not the service ${incident.target}`);
  const deploymentId = incident.source.occurrence ?? '';
  if (!DEPLOYMENT_ID.test(deploymentId)) throw new TargetNotAllowed(`the incident names no ECS deployment (${deploymentId || 'none'})`);
  return { key: parseServiceKey(service), deploymentId };
}
