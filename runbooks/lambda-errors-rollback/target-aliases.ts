import * as z from '../../lambdas/shared/zod';
import { requireJsonEnv } from '../../lambdas/shared/env';
import { TargetNotAllowed } from '../../lambdas/shared/errors';

/** The alias each configured function serves its traffic through (TARGET_ALIASES: function -> alias). */
export function targetAliases(): (functionName: string) => { functionName: string; alias: string; key: string } {
  const aliases = requireJsonEnv('TARGET_ALIASES', (raw) => z.record(z.string().check(z.minLength(1)), z.string().check(z.minLength(1))).parse(raw));
  return (functionName) => {
    const alias = aliases[functionName];
    if (alias === undefined) throw new TargetNotAllowed(`${functionName} is not a configured target of lambda-errors-rollback`);
    return { functionName, alias, key: `${functionName}:${alias}` };
  };
}
