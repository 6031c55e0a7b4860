import * as z from './zod';
import { describeTags, tagAdmission } from '../domain/admission';
import type { TagResource } from '../domain/tag-resources';
import { TargetNotAllowed } from './errors';
import { requireJsonEnv } from './env';
import { scopeOf, TargetTagReader } from './target-tags';

const tagReader = new TargetTagReader();
const tagsSchema = z.record(z.string(), z.string());

/** A runbook that allowlists by tag, and the kind of resource its targets are (whose tags are read). */
export interface TaggedTargets {
  readonly runbook: string;
  readonly resource: TagResource;
}

/**
 * The targets this function may change, from config: ALLOWED_TARGETS by name and, for runbooks
 * that allowlist by tag, ALLOWED_TARGET_TAGS (read from the resource at run time). IAM enforces
 * the same in the account; checking here too means the drill, which has no IAM, enforces it too.
 */
export function allowedTargets(tagged?: TaggedTargets): (target: string, invokedFunctionArn?: string) => Promise<void> {
  const allowed = new Set(requireJsonEnv('ALLOWED_TARGETS', (raw) => z.array(z.string().check(z.minLength(1))).parse(raw)));
  const tags = process.env.ALLOWED_TARGET_TAGS ? requireJsonEnv('ALLOWED_TARGET_TAGS', (raw) => tagsSchema.parse(raw)) : undefined;
  return async (target, invokedFunctionArn) => {
    if (allowed.has(target)) return;
    if (!tags || !tagged || !invokedFunctionArn) throw new TargetNotAllowed(`${target} is not a configured target of this function`);
    const verdict = tagAdmission(tagged.runbook, target, tags, await tagReader.read(tagged.resource, target, scopeOf(invokedFunctionArn)));
    if (verdict.decision !== 'admit') throw new TargetNotAllowed(`${target} is not a configured target of this function and does not carry ${describeTags(tags)}`);
  };
}

/**
 * The undo's check: one function restores for several runbooks, so the tags are per runbook
 * (ALLOWED_TARGET_TAGS_BY_RUNBOOK, `{ runbook: tags }`) and checked against the incident's
 * runbook. The tags are read now, not trusted from the incident: a target that lost them since
 * the runbook acted is refused, as IAM's aws:ResourceTag condition would refuse it.
 */
export function allowedUndoTargets(): (runbook: string, target: string, resource: TagResource | undefined, invokedFunctionArn: string) => Promise<void> {
  const allowed = new Set(requireJsonEnv('ALLOWED_TARGETS', (raw) => z.array(z.string().check(z.minLength(1))).parse(raw)));
  const tagsByRunbook = process.env.ALLOWED_TARGET_TAGS_BY_RUNBOOK
    ? requireJsonEnv('ALLOWED_TARGET_TAGS_BY_RUNBOOK', (raw) => z.record(z.string(), tagsSchema).parse(raw))
    : {};
  return async (runbook, target, resource, invokedFunctionArn) => {
    if (allowed.has(target)) return;
    const tags = tagsByRunbook[runbook];
    if (!tags || !resource) throw new TargetNotAllowed(`${target} is not a configured target of ${runbook}: not restored`);
    const verdict = tagAdmission(runbook, target, tags, await tagReader.read(resource, target, scopeOf(invokedFunctionArn)));
    if (verdict.decision !== 'admit') {
      const why = verdict.decision === 'reject' ? verdict.reason : `${target} does not carry ${describeTags(tags)}`;
      throw new TargetNotAllowed(`${why} (tags read at undo time): not restored`);
    }
  };
}
