import * as z from '../../../lambdas/shared/zod';
import { EcsServiceClient } from '../../../lambdas/aws/ecs';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { ChangeRejected, InvalidInput } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { degradeCheck, degradeInputSchema, TASK_DEFINITION_ARN, type Running } from '../degrade-call';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const check = degradeCheck();
const services = new EcsServiceClient();

const inputSchema = z.extend(degradeInputSchema, {
  /** The revision the register step registered (or planned): deployed here. */
  registered: z.string().check(z.regex(TASK_DEFINITION_ARN, 'a task definition ARN with its revision')),
  /** Its one line, carried into this step's result. */
  summary: z.string(),
});

export interface DegradeResult extends ActionResult<Running, Running> {
  /** The permissive revision the service now runs (planned only in a dry run). */
  readonly registered: string;
  /** The revision it ran, which the revert puts back. */
  readonly from: string;
  readonly summary: string;
}

/**
 * Act, second half, as approved: UpdateService to the permissive revision the register step made.
 * Its ledger row records the task definition it replaces first, which the revert puts back. A
 * service that no longer runs the task definition read at diagnosis is refused (ChangeRejected),
 * nothing deployed; a retry or redrive finds its row and the service already on it.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, call, approval, registered, summary, dryRun }): Promise<DegradeResult> => {
  const key = await check(incident, call, approval, dryRun);
  if (registered.split(':').slice(0, -1).join(':') !== call.from.split(':').slice(0, -1).join(':') || registered === call.from) {
    throw new InvalidInput(`${registered} is not a new revision of ${call.from}'s family`);
  }

  const deployed = await performAction<Running, Running>(ledger, incident, execution, {
    step: 'degrade-auth',
    operation: 'ecs:UpdateService',
    target: incident.target,
    parameters: { cluster: key.cluster, service: key.service, taskDefinition: registered },
    intended: { taskDefinition: registered },
    readBefore: async () => ({ taskDefinition: (await services.describe(key)).taskDefinition }),
    mutate: async (_before, now) => {
      if (now.taskDefinition !== call.from) {
        throw new ChangeRejected(`not degraded: ${incident.target} runs ${now.taskDefinition ?? 'no task definition'} now, not ${call.from} read at diagnosis (changed since)`);
      }
      return { taskDefinition: (await services.deployTaskDefinition(key, registered)).taskDefinition };
    },
    inEffect: (now) => (now.taskDefinition === registered ? { taskDefinition: registered } : undefined),
  }, { dryRun });
  return { ...deployed, registered, from: call.from, summary };
});
