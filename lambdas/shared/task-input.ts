import * as z from './zod';

/** `$$.Execution` as the state machines pass it to every task: its ARN, and which run (RedriveCount: 0, then one more per redrive). */
export const executionSchema = z.object({ id: z.string().check(z.minLength(1)), redriveCount: z.optional(z.int().check(z.gte(0))) });

/** A failure a state machine caught, as its Catch writes it at `$.error`: the error's name and its cause. */
export const caughtErrorSchema = z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) });

/** One independent part's record, as the state machine keeps it (statemachines/src/spine/parts.ts). */
export const partRecordSchema = z.object({
  part: z.string(), done: z.boolean(), outcome: z.string(), planned: z.optional(z.boolean()), error: z.optional(caughtErrorSchema),
});
export type PartRecord = z.infer<typeof partRecordSchema>;

/** The incident admit produced; every later task receives it as `incident`. */
export const incidentSchema = z.object({
  id: z.string().check(z.regex(/^inc-[0-9a-f]{16}$/, 'an incident id (inc-<16 hex>)')),
  runbook: z.string().check(z.minLength(1)),
  target: z.string().check(z.minLength(1)),
  summary: z.string(),
  firedAt: z.string(),
  source: z.object({
    name: z.string(), arn: z.optional(z.string()), reason: z.optional(z.string()), occurrence: z.optional(z.string()),
    /** The API call a CloudTrail event recorded (lambdas/domain/service-events.ts ApiCall). */
    apiCall: z.optional(z.object({
      action: z.string(), principal: z.optional(z.string()), errorCode: z.optional(z.string()), parameters: z.record(z.string(), z.string()),
    })),
  }),
  budget: z.optional(z.object({
      budgetName: z.string(),
      alertType: z.enum(['ACTUAL', 'FORECASTED']),
      thresholdAmount: z.number(),
      actualOrForecastAmount: z.number(),
      budgetedAmount: z.number(),
    })),
});
export type Incident = z.infer<typeof incidentSchema>;

/** The payload shape shared by every step after admit. `dryRun` (from admit) plans instead of acting. */
export const stepInputSchema = z.object({ incident: incidentSchema, execution: executionSchema, dryRun: z._default(z.boolean(), false) });
