import type { ServiceEventView } from '../../../lambdas/aws/ecs';
import { diagnoseService, type EcsDiagnosis } from '../diagnosis';
import { requireJsonEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import * as z from '../../../lambdas/shared/zod';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { EcsServiceClient, parseServiceKey } from '../../../lambdas/aws/ecs';

const services = new EcsServiceClient();
/** Each configured heartbeat alarm by the "cluster/service" it watches (seed 004 "Stale Heartbeat"). */
const HEARTBEAT_ALARMS = requireJsonEnv('HEARTBEAT_ALARMS', (raw) => z.record(z.string(), z.string()).parse(raw));
/** Seed 000 reads `services[0].events[:10]`; the same number of stopped tasks is plenty. */
const RECENT = 10;

export interface StoppedTaskEvidence {
  readonly taskArn: string;
  readonly stoppedReason: string | null;
  readonly stopCode: string | null;
  readonly containerReasons: readonly string[];
}

export interface ServiceInspection extends EcsDiagnosis {
  readonly cluster: string;
  readonly service: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly rolloutState: string | null;
  readonly events: readonly ServiceEventView[];
  readonly stoppedTasks: readonly StoppedTaskEvidence[];
}

/** Diagnose (seed 000 "ECS Fargate service down", step 1): service events and stopped-task reasons. */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<ServiceInspection> => {
  const key = parseServiceKey(incident.target);
  const service = await services.describe(key);
  const stopped = await services.stoppedTasks(key, RECENT);
  const events = service.events.slice(0, RECENT);
  // Started by the target's own heartbeat alarm: a service that looks healthy is restarted all the same.
  const staleHeartbeat = HEARTBEAT_ALARMS[incident.target] === incident.source.name ? incident.source.name : undefined;
  const diagnosis = diagnoseService(service, events, stopped, staleHeartbeat);
  return {
    cluster: key.cluster,
    service: key.service,
    desiredCount: service.desiredCount,
    runningCount: service.runningCount,
    pendingCount: service.pendingCount,
    rolloutState: service.primary?.rolloutState ?? null,
    ...diagnosis,
    events,
    stoppedTasks: stopped.map(({ taskArn, stoppedReason, stopCode, containerReasons }) => ({ taskArn, stoppedReason, stopCode, containerReasons })),
  };
});
