/**
 * The gated steps as every approval request handler's environment carries them (APPROVAL_GATES,
 * keyed `<runbook>/<step>`). Each of those functions carries every gate, so a gate is written
 * short: its severity alone when it aborts on timeout and asks the environment's number of
 * approvals (APPROVAL_POLICY's), the usual case; its full settings otherwise.
 */
import * as z from '../shared/zod';
import type { GateSettings, Severity } from './approval';

export type GateEntry = Severity | GateSettings;

const severitySchema = z.enum(['P1', 'P2', 'P3', 'P4']);
const gateEntriesSchema = z.record(z.string(), z.union([
  severitySchema,
  z.object({
    severity: severitySchema, onTimeout: z.enum(['abort', 'proceed']), requiredApprovals: z.int().check(z.gte(0)), acknowledge: z.optional(z.literal(true)),
    noApproverBecause: z.optional(z.string()),
  }),
]));

/** The gates written short, given the environment's number of required approvals. */
export function gateEntries(gates: Readonly<Record<string, GateSettings>>, requiredApprovals: number): Record<string, GateEntry> {
  return Object.fromEntries(Object.entries(gates).map(([key, g]) => [
    key, g.onTimeout === 'abort' && g.requiredApprovals === requiredApprovals && !g.acknowledge && g.noApproverBecause === undefined ? g.severity
      : {
        severity: g.severity, onTimeout: g.onTimeout, requiredApprovals: g.requiredApprovals, ...(g.acknowledge ? { acknowledge: true as const } : {}),
        ...(g.noApproverBecause !== undefined ? { noApproverBecause: g.noApproverBecause } : {}),
      },
  ]));
}

/** The gates' full settings, read back from their short form (throws on anything else). */
export function gateSettings(raw: unknown, requiredApprovals: number): Record<string, GateSettings> {
  return Object.fromEntries(Object.entries(gateEntriesSchema.parse(raw)).map(([key, entry]) => [
    key, typeof entry === 'string' ? { severity: entry, onTimeout: 'abort', requiredApprovals } : entry,
  ]));
}
