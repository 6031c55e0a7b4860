import * as z from '../../lambdas/shared/zod';
import { requireJsonEnv } from '../../lambdas/shared/env';
import { TargetNotAllowed } from '../../lambdas/shared/errors';

/** The configured agent functions (a handler's AGENT_FUNCTIONS, read at cold start), and the refusal of any other. */
export function agentFunctions(): { readonly names: readonly string[]; assertConfigured(name: string): void } {
  const names = requireJsonEnv('AGENT_FUNCTIONS', (raw) => z.array(z.string().check(z.minLength(1))).parse(raw));
  return {
    names,
    assertConfigured: (name) => {
      if (!names.includes(name)) throw new TargetNotAllowed(`${name} is not a configured agent function of agentops-key`);
    },
  };
}
