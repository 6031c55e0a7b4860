import * as z from '../../../lambdas/shared/zod';
import { requireJsonEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { haltScopesSchema, scopeOf } from '../halt-scope';
import { HaltReader, type GatewayState, type ProxyState } from '../halt-state';

const SCOPES = requireJsonEnv('HALT_SCOPES', (raw) => haltScopesSchema.parse(raw));
const reader = new HaltReader();

const inputSchema = z.extend(stepInputSchema, { part: z.enum(['gateway', 'proxy']) });

/**
 * Diagnose one part: is the gateway already refusing calls, is the proxy already at 0 and pinned?
 * A missing gateway or service is TargetNotFound; each part is read on its own, so one that cannot
 * be read keeps the other from nothing.
 */
export const handler = taskHandler(inputSchema, async ({ incident, part }): Promise<GatewayState | ProxyState> => {
  const scope = scopeOf(SCOPES, incident.target);
  return part === 'gateway' ? reader.gateway(scope) : reader.proxy(scope);
});
