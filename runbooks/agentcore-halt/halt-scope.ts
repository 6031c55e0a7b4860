import * as z from '../../lambdas/shared/zod';
import { InvalidInput, TargetNotAllowed } from '../../lambdas/shared/errors';

/**
 * What one halt stops, as the handlers read it from their environment (HALT_SCOPES, written from
 * the module's config): the gateway and the deny-all policy engine it attaches, the proxy service,
 * the kill-switch endpoints and the secret with their token. Keyed by every target key that starts
 * it: the environment a person names, and each alarm configured to start it.
 */
const haltScopeSchema = z.object({
  environment: z.string(),
  gateway: z.object({ gatewayId: z.string(), roleArn: z.string(), haltPolicyEngineArn: z.string() }),
  proxy: z.object({ cluster: z.string(), service: z.string() }),
  killSwitch: z.object({ baseUrl: z.string(), paths: z.array(z.string()).check(z.minLength(1)), secretId: z.string(), timeoutSeconds: z.int().check(z.gte(1)) }),
});
export type HaltScope = z.infer<typeof haltScopeSchema>;
export const haltScopesSchema = z.record(z.string(), haltScopeSchema);

/** The scope an incident's target names; a target not configured is refused (nothing changed). */
export function scopeOf(scopes: Readonly<Record<string, HaltScope>>, target: string): HaltScope {
  if (target.trim() === '') throw new InvalidInput('the halt names no environment');
  const scope = scopes[target];
  if (!scope) throw new TargetNotAllowed(`${target} is not an environment (or alarm) this halt is configured for: nothing changed`);
  return scope;
}

/** The proxy as the ledger and the undo name it: "cluster/service". */
export const proxyKey = (scope: HaltScope): string => `${scope.proxy.cluster}/${scope.proxy.service}`;
