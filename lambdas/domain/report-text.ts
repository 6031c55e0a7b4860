/** How the incident report writes values, times and durations in Markdown. Pure. */

/** At most this many characters of a value in a line; the ledger and the execution history hold it whole. */
export const VALUE_CHARS = 240;

/** `s` in at most `n` characters: cut, with "…" saying so. */
export function elide(s: string, n = VALUE_CHARS): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`;
}

/** Inline code, whatever the text holds (a backtick inside takes a longer fence). */
export function code(s: string): string {
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${s} ${fence}` : `${fence}${s}${fence}`;
}

/**
 * Prose from a record or an error: one line, with what Markdown would read as markup inside a line
 * escaped (emphasis, code, links, HTML); arrows and hashes stay as written.
 */
export function prose(s: string): string {
  return s.replace(/\s+/g, ' ').trim().replace(/([\\*_`[\]<])/g, '\\$1');
}

/** Prose that ends as a sentence does (a period added where it ends without one). */
export function sentence(s: string): string {
  const text = prose(s);
  return /[.!?:;]$/.test(text) || text === '' ? text : `${text}.`;
}

/** A paragraph of prose: as `prose`, and one that starts like a heading, quote, list or rule starts escaped. */
export function paragraph(s: string): string {
  return sentence(s).replace(/^([#>+-]|\d+[.)])/, '\\$1');
}

/** A table cell: one line, pipes escaped. */
export const cell = (s: string): string => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();

/** A value as a human reads it: "none" for absent, the text of a scalar, compact JSON otherwise, elided. */
export function value(v: unknown, n = VALUE_CHARS): string {
  if (v === undefined || v === null) return 'none';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return elide(String(v), n);
  return elide(JSON.stringify(v), n);
}

/** A step's finding as `field=value` pairs (lists counted, nested records one level deep), elided. */
export function fields(v: unknown, n = VALUE_CHARS): string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return value(v, n);
  // A step that keeps its whole answer under one field ({ value: {...} }) is read as that answer.
  const only = Object.keys(v);
  if (only.length === 1 && only[0] === 'value') return fields((v as { value: unknown }).value, n);
  const pairs = (o: Record<string, unknown>, depth: number): string => Object.entries(o).map(([key, x]) => {
    if (Array.isArray(x)) return `${key}=[${x.length}${x.length > 0 && x.every((i) => typeof i !== 'object') ? `: ${x.map(String).join(', ')}` : ''}]`;
    if (x !== null && typeof x === 'object') return depth < 1 ? `${key}={${pairs(x as Record<string, unknown>, depth + 1)}}` : `${key}={${Object.keys(x).length} fields}`;
    return `${key}=${value(x, 80)}`;
  }).join(' ');
  return elide(pairs(v as Record<string, unknown>, 0), n);
}

/** Milliseconds from one ISO time to another; undefined when either does not parse or the order is backwards. */
export function between(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** A duration in the two largest units that say it: "850 ms", "42 s", "3 min 12 s", "2 h 5 min", "4 d 3 h". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]];
  const parts: string[] = [];
  let rest = ms;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n} ${name}`);
    if (parts.length === 2) break;
  }
  return parts.filter((p) => !p.startsWith('0 ')).join(' ');
}
