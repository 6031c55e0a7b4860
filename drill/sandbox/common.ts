/** JSON protocols carry timestamps as epoch seconds. */
export function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** A UUID-shaped id from 32 hex digits (request ids, SNS message ids). */
export function uuidFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The ISO time `minutes` before `now`: how the seeds place their story in time. */
export const minutesBefore = (now: Date, minutes: number): string => new Date(now.getTime() - minutes * 60_000).toISOString();

/** AWS's wildcards, as IAM policies and EC2 filters read them: `*` any run of characters, `?` one; the whole value. */
export function wildcardMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's').test(value);
}
