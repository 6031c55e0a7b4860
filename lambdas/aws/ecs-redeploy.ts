/**
 * A forced new deployment of an ECS service as a runbook step: the handler of every runbook that
 * redeploys a service is this step, with that runbook's allowlist (runbooks/<name>/handlers/redeploy.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import * as z from '../shared/zod';
import { approvalResultSchema, assertApproved, type GatedCall } from '../approval/assert-approved';
import { ApprovalStore, type Gate } from '../approval/store';
import { performAction, type ActionResult } from '../shared/act';
import { requireEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { Ledger } from '../shared/ledger';
import { allowedTargets, type TaggedTargets } from '../shared/targets';
import { stepInputSchema } from '../shared/task-input';
import { EcsServiceClient, parseServiceKey, SERVICE_KEY, type ServiceView } from './ecs';

/** The target comes from the payload: a runbook may redeploy a service other than its incident's target (a proxy). */
const redeployInputSchema = z.extend(stepInputSchema, {
  step: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/, 'a step name (lowercase letters, digits, dashes)')),
  target: z.string().check(z.regex(SERVICE_KEY, 'a "cluster/service" key')),
  /** A gated redeploy's approval result (`$.approval`). */
  approval: z.optional(approvalResultSchema),
});

/** What the runbook's redeploy step is. */
export interface RedeployOptions {
  /** The runbook also allowlists services by tag (ALLOWED_TARGET_TAGS). */
  readonly tagged?: TaggedTargets;
  /**
   * A gated step: a redeploy runs only as its approval covers it. The approval names a plan of
   * redeploys (`parameters.redeploys`, each `{ cluster, service, forceNewDeployment: true }`), made
   * one at a time, each call of it by this step; REDEPLOY_ON_TIMEOUT is the gate's onTimeout.
   */
  readonly gated?: boolean;
}

/** The approved plan covers this redeploy: the same operation, and this exact call among its redeploys. */
const inPlan = (approved: Gate, call: GatedCall): boolean => approved.operation === call.operation
  && Array.isArray(approved.parameters.redeploys) && approved.parameters.redeploys.some((planned) => isDeepStrictEqual(planned, call.parameters));

export interface DeploymentBefore {
  readonly taskDefinition: string | null;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly deploymentId: string | null;
}

export interface DeploymentAfter {
  readonly deploymentId: string | null;
  readonly taskDefinition: string | null;
}

const after = (s: ServiceView): DeploymentAfter => ({
  deploymentId: s.primary?.id ?? null,
  taskDefinition: s.primary?.taskDefinition ?? s.taskDefinition,
});

/**
 * Seed 000 "ECS Fargate service down", step 3: force a new deployment, after recording the
 * deployment it replaces (its task definition and counts). A gated step checks its approval first,
 * before anything is read or changed (assertApproved).
 */
export function redeployHandler(options: RedeployOptions = {}) {
  const table = requireEnv('LEDGER_TABLE');
  const ledger = new Ledger(table);
  const assertAllowed = allowedTargets(options.tagged);
  const services = new EcsServiceClient();
  const gate = options.gated ? { approvals: new ApprovalStore(table), onTimeout: z.enum(['abort', 'proceed']).parse(requireEnv('REDEPLOY_ON_TIMEOUT')) } : undefined;
  return taskHandler(redeployInputSchema, async ({ incident, execution, step, target, approval, dryRun }, context): Promise<ActionResult<DeploymentBefore, DeploymentAfter>> => {
    await assertAllowed(target, context.invokedFunctionArn);
    const key = parseServiceKey(target);
    const parameters = { cluster: key.cluster, service: key.service, forceNewDeployment: true };
    if (gate) {
      await assertApproved(gate.approvals, approval, {
        incidentId: incident.id, runbook: incident.runbook, step, operation: 'ecs:UpdateService', target, parameters,
      }, { onTimeout: gate.onTimeout, covers: inPlan, dryRun });
    }
    return performAction<DeploymentBefore, DeploymentAfter, ServiceView>(ledger, incident, execution, {
      step,
      operation: 'ecs:UpdateService',
      target,
      parameters,
      // A new deployment of the same task definition; its id is ECS's to give.
      intended: { deploymentId: null, taskDefinition: null },
      readBefore: async () => {
        const service = await services.describe(key);
        return {
          taskDefinition: service.taskDefinition,
          desiredCount: service.desiredCount,
          runningCount: service.runningCount,
          deploymentId: service.primary?.id ?? null,
        };
      },
      mutate: async () => after(await services.forceNewDeployment(key)),
      observe: () => services.describe(key),
      // A PRIMARY deployment other than the one recorded before is that redeploy (its answer may have
      // been lost): forcing another would roll the service twice.
      inEffect: (service, before) => (service.primary && service.primary.id !== before.deploymentId ? after(service) : undefined),
    }, { dryRun });
  });
}
