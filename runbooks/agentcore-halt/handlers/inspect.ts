import { requireJsonEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { haltScopesSchema, scopeOf } from '../halt-scope';
import { HaltReader, type HaltState } from '../halt-state';

const SCOPES = requireJsonEnv('HALT_SCOPES', (raw) => haltScopesSchema.parse(raw));
const reader = new HaltReader();

/** Diagnose: is the gateway already refusing calls, is the proxy already at 0 and pinned? A missing gateway or service is TargetNotFound. */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<HaltState> => reader.read(scopeOf(SCOPES, incident.target)));
