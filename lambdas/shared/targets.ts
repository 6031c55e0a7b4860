import { z } from 'zod';
import { describeTags, tagAdmission } from '../domain/admission';
import { TargetNotAllowed } from './errors';
import { requireJsonEnv } from './env';
import { scopeOf, TargetTagReader } from './target-tags';

const tagReader = new TargetTagReader();

/**
 * The targets this function may change, from config: ALLOWED_TARGETS by name and, for runbooks
 * that allowlist by tag, ALLOWED_TARGET_TAGS (read from the resource at run time). IAM enforces
 * the same in the account; checking here too means the drill, which has no IAM, enforces it too.
 */
export function allowedTargets(runbook?: string): (target: string, invokedFunctionArn?: string) => Promise<void> {
  const allowed = new Set(requireJsonEnv('ALLOWED_TARGETS', (raw) => z.array(z.string().min(1)).parse(raw)));
  const tags = process.env.ALLOWED_TARGET_TAGS
    ? requireJsonEnv('ALLOWED_TARGET_TAGS', (raw) => z.record(z.string(), z.string()).parse(raw))
    : undefined;
  return async (target, invokedFunctionArn) => {
    if (allowed.has(target)) return;
    if (!tags || !runbook || !invokedFunctionArn) throw new TargetNotAllowed(`${target} is not a configured target of this function`);
    const verdict = tagAdmission(runbook, target, tags, await tagReader.read(runbook, target, scopeOf(invokedFunctionArn)));
    if (verdict.decision !== 'admit') throw new TargetNotAllowed(`${target} is not a configured target of this function and does not carry ${describeTags(tags)}`);
  };
}
