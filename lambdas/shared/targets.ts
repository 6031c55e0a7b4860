import { z } from 'zod';
import { TargetNotAllowed } from './errors';
import { requireJsonEnv } from './env';

/**
 * The targets this function may change, from config (ALLOWED_TARGETS). IAM enforces the same
 * list in the account; checking here too means the drill, which has no IAM, enforces it as well.
 */
export function allowedTargets(): (target: string) => void {
  const allowed = new Set(requireJsonEnv('ALLOWED_TARGETS', (raw) => z.array(z.string().min(1)).parse(raw)));
  return (target: string) => {
    if (!allowed.has(target)) throw new TargetNotAllowed(`${target} is not a configured target of this function`);
  };
}
