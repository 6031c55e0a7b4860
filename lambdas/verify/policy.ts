import * as z from '../shared/zod';
import type { VerifyPolicy } from '../domain/verification';
import { requireJsonEnv } from '../shared/env';

const policySchema = z.strictObject({
  waitSeconds: z.int().check(z.positive()),
  pollSeconds: z.int().check(z.positive()),
  checks: z.int().check(z.positive()),
  insufficientData: z.enum(['cleared', 'not-cleared']),
});

/** The runbook's verify policy (VERIFY_POLICY, from config), read at cold start. */
export const readVerifyPolicy = (): VerifyPolicy => requireJsonEnv('VERIFY_POLICY', (raw) => policySchema.parse(raw));

/** The acting step's result, as the state machine passes it on (`$.action` or `$.switch`). */
export const actionSchema = z.optional(z.nullable(z.object({
  operation: z.optional(z.string()),
  target: z.optional(z.string()),
  before: z.optional(z.unknown()),
  after: z.optional(z.unknown()),
})));
