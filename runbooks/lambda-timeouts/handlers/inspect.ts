import { requireJsonEnv } from '../../../lambdas/shared/env';
import { TargetNotAllowed } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { FunctionLimits } from '../function-limits';
import { EventSourceNotFound, planTimeout, timeoutPoliciesSchema, type QueueLimit, type TimeoutPlan } from '../timeout-plan';

const POLICIES = requireJsonEnv('TIMEOUT_POLICIES', (raw) => timeoutPoliciesSchema.parse(raw));
const limits = new FunctionLimits();

export interface TimeoutDiagnosis {
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly lastUpdateStatus: string;
  readonly logGroup: string;
  readonly ceilingSeconds: number;
  readonly queues: QueueLimit[];
  readonly plan: TimeoutPlan;
}

/**
 * Diagnose (seed 004 "Lambda Timeouts"): the function's timeout, memory and LastUpdateStatus, the
 * visibility timeout of each SQS queue that invokes it, and what the runbook would do about it.
 * An SQS source whose queue does not exist is thrown (EventSourceNotFound): the run escalates.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<TimeoutDiagnosis> => {
  const functionName = incident.target;
  const policy = POLICIES[functionName];
  if (!policy) throw new TargetNotAllowed(`${functionName} is not a configured target of lambda-timeouts`);
  const fn = await limits.configuration(functionName);
  const queues = await limits.queueLimits(functionName);
  const gone = queues.find((q) => q.visibilityTimeout === null);
  if (gone) throw new EventSourceNotFound(`${functionName}'s event source ${gone.queueArn} is an SQS queue that does not exist`);
  return {
    functionName, timeoutSeconds: fn.settings.Timeout, memorySize: fn.settings.MemorySize, lastUpdateStatus: fn.lastUpdateStatus, logGroup: fn.logGroup,
    ceilingSeconds: policy.ceilingSeconds, queues,
    plan: planTimeout({ functionName, timeoutSeconds: fn.settings.Timeout, lastUpdateStatus: fn.lastUpdateStatus }, policy, queues),
  };
});
