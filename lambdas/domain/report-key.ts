/**
 * Where an incident's report is kept: `incidents/<yyyy-mm-dd>-<runbook>-<target>.md`, the day the
 * trigger fired (UTC). A second incident of the same runbook and target on the same day takes the
 * next free name, `...-2.md`, `...-3.md`: the ledger's claim on each name (one conditional write,
 * lambdas/report/writer.ts) arbitrates, so no report is ever written over another incident's.
 * Pure: no AWS here.
 */

export const REPORT_PREFIX = 'incidents/';
/** Names tried before the incident's own id is used instead of a number (it cannot be taken). */
export const NUMBERED_NAMES = 50;
/** S3 takes keys of up to 1,024 bytes; a target's part is kept far below that, and readable. */
const TARGET_CHARS = 100;

/** The day (UTC) of an ISO time, as yyyy-mm-dd; the time's own date part when it does not parse. */
export function dayOf(time: string): string {
  const ms = Date.parse(time);
  if (Number.isFinite(ms)) return new Date(ms).toISOString().slice(0, 10);
  const date = /^\d{4}-\d{2}-\d{2}/.exec(time);
  return date ? date[0] : 'undated';
}

/**
 * A target as a file name: an ARN by its resource part (the execution, not the partition and
 * account), anything but letters, digits, dots, dashes and underscores as one dash, and at most
 * TARGET_CHARS characters.
 */
export function targetSlug(target: string): string {
  const resource = target.startsWith('arn:') ? target.split(':').slice(5).join(':') : target;
  const slug = resource.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return (slug.slice(0, TARGET_CHARS).replace(/[-.]+$/, '') || 'target');
}

/**
 * The key of the `n`th report name of a runbook and target on a day (1: no number); past
 * NUMBERED_NAMES, the incident's own id, which no other incident has.
 */
export function reportKey(incident: { readonly incidentId: string; readonly runbook: string; readonly target: string; readonly firedAt: string }, n: number): string {
  const base = `${REPORT_PREFIX}${dayOf(incident.firedAt)}-${incident.runbook}-${targetSlug(incident.target)}`;
  if (n <= 1) return `${base}.md`;
  return n > NUMBERED_NAMES ? `${base}-${incident.incidentId}.md` : `${base}-${n}.md`;
}
