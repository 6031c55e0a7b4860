/** Reads a required environment variable at cold start; a missing one fails the deployment loudly. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  return value;
}

/** Reads a required JSON environment variable and parses it with the given parser. */
export function requireJsonEnv<T>(name: string, parse: (raw: unknown) => T): T {
  const raw = requireEnv(name);
  try {
    return parse(JSON.parse(raw));
  } catch (e: unknown) {
    throw new Error(`Environment variable ${name} is not valid: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Reads an optional JSON environment variable (`fallback` when unset) and parses it with the given parser. */
export function optionalJsonEnv<T>(name: string, parse: (raw: unknown) => T, fallback: T): T {
  return process.env[name] === undefined || process.env[name] === '' ? fallback : requireJsonEnv(name, parse);
}

/** Reads a required environment variable holding a positive whole number (seconds, counts). */
export function requirePositiveIntegerEnv(name: string): number {
  return requireJsonEnv(name, (raw) => {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw <= 0) throw new Error('expected a positive whole number');
    return raw;
  });
}

/** An optional environment variable holding a whole number of seconds (0 or more), read at cold start; `fallback` when unset. */
export function secondsEnv(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`${name} must be a whole number of seconds (0 or more), not "${raw}"`);
  return seconds;
}
