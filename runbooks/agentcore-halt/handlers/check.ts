import * as z from '../../../lambdas/shared/zod';
import { requireJsonEnv, requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { haltScopesSchema, scopeOf } from '../halt-scope';
import { HaltReader, type HaltState } from '../halt-state';

const SCOPES = requireJsonEnv('HALT_SCOPES', (raw) => haltScopesSchema.parse(raw));
const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const TIMEOUT_SECONDS = requirePositiveIntegerEnv('CHECK_TIMEOUT_SECONDS');
const reader = new HaltReader();

const inputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.gte(0)) });

/** Gateway states from which an update does not settle by waiting. */
const SETTLED_BADLY = ['UPDATE_UNSUCCESSFUL', 'FAILED', 'DELETING'];

export interface HaltCheck {
  readonly attempt: number;
  readonly done: boolean;
  readonly failed: boolean;
  readonly timedOut: boolean;
  readonly pollSeconds: number;
  readonly state: HaltState;
  readonly reason: string;
}

/**
 * Verify, polled: done when the gateway is READY again with the deny-all engine enforced and the
 * proxy runs no task with a desired count of 0; failed when the gateway's update did not succeed
 * or its engine is not the halt's any more; timed out otherwise.
 */
export const handler = taskHandler(inputSchema, async ({ incident, attempt }): Promise<HaltCheck> => {
  const state = await reader.read(scopeOf(SCOPES, incident.target));
  const next = attempt + 1;
  const { gateway: g, proxy: p } = state;
  const failed = SETTLED_BADLY.includes(g.status) || (g.status === 'READY' && !g.halted);
  const done = !failed && g.status === 'READY' && g.halted && p.desiredCount === 0 && p.runningCount === 0;
  const reason = `gateway ${g.gatewayId} ${g.status}, policy engine ${g.policyEngine}; proxy ${p.service} desired ${p.desiredCount}, running ${p.runningCount}`
    + `${p.scalableTarget ? `, scalable target ${p.scalableTarget.minCapacity}-${p.scalableTarget.maxCapacity}` : ''}`;
  return { attempt: next, done, failed, timedOut: !done && !failed && next * POLL_SECONDS >= TIMEOUT_SECONDS, pollSeconds: POLL_SECONDS, state, reason };
});
