import * as z from 'zod';
import type { VerifyPolicy } from '../domain/verification';
import { requireJsonEnv } from '../shared/env';

const policySchema = z.strictObject({
  waitSeconds: z.number().int().positive(),
  pollSeconds: z.number().int().positive(),
  checks: z.number().int().positive(),
  insufficientData: z.enum(['cleared', 'not-cleared']),
});

/** The runbook's verify policy (VERIFY_POLICY, from config), read at cold start. */
export const readVerifyPolicy = (): VerifyPolicy => requireJsonEnv('VERIFY_POLICY', (raw) => policySchema.parse(raw));

/** The acting step's result, as the state machine passes it on (`$.action` or `$.switch`). */
export const actionSchema = z.object({
  operation: z.string().optional(),
  target: z.string().optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
}).nullable().optional();
