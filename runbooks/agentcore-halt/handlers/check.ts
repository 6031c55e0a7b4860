import * as z from '../../../lambdas/shared/zod';
import { requireJsonEnv, requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { haltScopesSchema, scopeOf } from '../halt-scope';
import { HaltReader, type GatewayState, type ProxyState } from '../halt-state';

const SCOPES = requireJsonEnv('HALT_SCOPES', (raw) => haltScopesSchema.parse(raw));
const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const TIMEOUT_SECONDS = requirePositiveIntegerEnv('CHECK_TIMEOUT_SECONDS');
const reader = new HaltReader();

/** Which parts to verify: the ones this halt found or left halted (a part that did not halt has nothing to verify). */
const inputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.gte(0)), verify: z.object({ gateway: z.boolean(), proxy: z.boolean() }) });

/** Gateway states from which an update does not settle by waiting. */
const SETTLED_BADLY = ['UPDATE_UNSUCCESSFUL', 'FAILED', 'DELETING'];

export interface HaltCheck {
  readonly attempt: number;
  readonly done: boolean;
  readonly failed: boolean;
  readonly timedOut: boolean;
  readonly pollSeconds: number;
  readonly state: { readonly environment: string; readonly gateway?: GatewayState; readonly proxy?: ProxyState };
  readonly reason: string;
}

/**
 * Verify, polled, the parts asked: done when the gateway is READY again with the deny-all engine
 * enforced and the proxy runs no task with a desired count of 0; failed when the gateway's update
 * did not succeed or its engine is not the halt's any more; timed out otherwise.
 */
export const handler = taskHandler(inputSchema, async ({ incident, attempt, verify }): Promise<HaltCheck> => {
  const scope = scopeOf(SCOPES, incident.target);
  const g = verify.gateway ? await reader.gateway(scope) : undefined;
  const p = verify.proxy ? await reader.proxy(scope) : undefined;
  const next = attempt + 1;
  const failed = g !== undefined && (SETTLED_BADLY.includes(g.status) || (g.status === 'READY' && !g.halted));
  const done = !failed && (!g || (g.status === 'READY' && g.halted)) && (!p || (p.desiredCount === 0 && p.runningCount === 0));
  const reason = [
    ...(g ? [`gateway ${g.gatewayId} ${g.status}, policy engine ${g.policyEngine}`] : []),
    ...(p ? [`proxy ${p.service} desired ${p.desiredCount}, running ${p.runningCount}${p.scalableTarget ? `, scalable target ${p.scalableTarget.minCapacity}-${p.scalableTarget.maxCapacity}` : ''}`] : []),
  ].join('; ');
  const state = { environment: scope.environment, ...(g ? { gateway: g } : {}), ...(p ? { proxy: p } : {}) };
  return { attempt: next, done, failed, timedOut: !done && !failed && next * POLL_SECONDS >= TIMEOUT_SECONDS, pollSeconds: POLL_SECONDS, state, reason };
});
