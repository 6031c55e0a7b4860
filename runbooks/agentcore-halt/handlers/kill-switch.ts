import { performAction } from '../../../lambdas/shared/act';
import { requireEnv, requireJsonEnv } from '../../../lambdas/shared/env';
import { AwsThrottled, AwsUnavailable } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { logger } from '../../../lambdas/shared/logger';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { haltScopesSchema, scopeOf } from '../halt-scope';
import { KillSwitchClient, type KillSwitchAnswer } from '../kill-switch';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const SCOPES = requireJsonEnv('HALT_SCOPES', (raw) => haltScopesSchema.parse(raw));
const killSwitch = new KillSwitchClient();

/** The kill switch's POST, as ledger rows and the undo's plan name it (it has no API inverse). */
const KILL_SWITCH_OPERATION = 'application:PostKillSwitch';

export interface KillSwitchPost {
  readonly path: string;
  readonly status: 'halted' | 'planned' | 'failed';
  readonly detail: string;
}

export interface KillSwitchResult {
  readonly posts: readonly KillSwitchPost[];
  /** Every endpoint answered that it halted (or, in a dry run, every POST is planned). */
  readonly allHalted: boolean;
  readonly planned: boolean;
  readonly summary: string;
}

/**
 * Seed 000 "Fan-out kill switch": POST each configured endpoint, with the token read from the
 * configured secret (never logged or recorded: the row's parameters name the secret). Each POST is
 * its own ledger row, written before it: a Retry or a redrive replays a POST that answered and
 * sends again only one that did not (the endpoint is idempotent: a second POST to a halted system
 * changes nothing). Every endpoint is tried; one that answered 5xx or not at all (or whose ledger
 * row was throttled) fails the step after the others were tried (the state machine retries it), one
 * that refused (4xx) is reported.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident, execution, dryRun }): Promise<KillSwitchResult> => {
  const { killSwitch: ks } = scopeOf(SCOPES, incident.target);
  const token = dryRun ? '' : await killSwitch.token(ks.secretId);
  const posts: KillSwitchPost[] = [];
  let transient: Error | undefined;
  for (const path of ks.paths) {
    try {
      const done = await performAction<null, KillSwitchAnswer>(ledger, incident, execution, {
        step: 'kill-switch', operation: KILL_SWITCH_OPERATION, target: path,
        parameters: { method: 'POST', url: new URL(path, ks.baseUrl).toString(), authorization: `Bearer (the token in secret ${ks.secretId})` },
        intended: { status: 200, halted: true, alreadyHalted: false },
        // The endpoint has no read: a POST whose answer was lost stays unknown until a POST answers.
        readBefore: async () => null,
        mutate: () => killSwitch.post(ks.baseUrl, path, token, ks.timeoutSeconds),
        inEffect: () => undefined,
        partlyInEffect: () => true,
      }, { dryRun });
      posts.push(done.planned
        ? { path, status: 'planned', detail: 'POST planned, not sent' }
        : { path, status: 'halted', detail: `${done.after.status}${done.after.alreadyHalted ? ', already halted' : ''}${done.replayed ? ' (answered before)' : ''}` });
    } catch (e: unknown) {
      const error = e instanceof Error ? e : new Error(String(e));
      logger.warn('Kill-switch POST failed', { path, error: error.message });
      // No answer, or the POST's ledger row throttled before it was sent: retried by the state machine, never reported as a refusal.
      if (error instanceof AwsUnavailable || error instanceof AwsThrottled) transient ??= error;
      posts.push({ path, status: 'failed', detail: error.message });
    }
  }
  if (transient) throw transient;
  const allHalted = posts.every((p) => p.status !== 'failed');
  const summary = posts.map((p) => `${p.path}: ${p.status} (${p.detail})`).join('; ');
  return { posts, allHalted, planned: dryRun, summary };
});
