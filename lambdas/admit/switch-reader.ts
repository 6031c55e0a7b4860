import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import type { SwitchParameters, SwitchState } from '../domain/switches';
import { secondsEnv } from '../shared/env';
import { classifyAwsError } from '../shared/errors';

/** How long a warm container reuses a switch value it read, unless SWITCH_MAX_AGE_SECONDS says otherwise. */
export const DEFAULT_SWITCH_MAX_AGE_SECONDS = 5;

/** SWITCH_MAX_AGE_SECONDS as a whole number of seconds (0: read SSM for every event), read at cold start. */
export const switchMaxAgeSeconds = (raw: string | undefined): number => secondsEnv('SWITCH_MAX_AGE_SECONDS', raw, DEFAULT_SWITCH_MAX_AGE_SECONDS);

/**
 * Reads the kill switch and a runbook's switch, each value kept for maxAgeSeconds in this warm
 * container: a flipped switch is seen by every container within that age. Reads of a switch
 * already on its way share it. A missing parameter reads as null and is not kept, so a switch
 * created later counts at once; errors are not kept either.
 * (Powertools Parameters' SSMProvider keeps values the same way, with 13 KB more in the bundle.)
 */
export class SwitchReader {
  private readonly kept = new Map<string, { value: Promise<string | null>; until: number }>();

  constructor(
    private readonly names: SwitchParameters,
    private readonly maxAgeSeconds: number,
    private readonly ssm: SSMClient,
  ) {}

  async read(runbook: string): Promise<SwitchState> {
    const [automation, runbookSwitch] = await Promise.all([this.value(this.names.automation), this.value(this.names.runbooks[runbook])]);
    return { automation, runbook: runbookSwitch };
  }

  private value(name: string | undefined): Promise<string | null> {
    if (!name) return Promise.resolve(null);
    const kept = this.kept.get(name);
    if (kept && Date.now() <= kept.until) return kept.value;
    const entry = { value: this.fetch(name), until: Number.POSITIVE_INFINITY };
    this.kept.set(name, entry);
    const forget = () => {
      if (this.kept.get(name) === entry) this.kept.delete(name);
    };
    entry.value.then((value) => {
      if (value === null || this.maxAgeSeconds === 0) forget();
      else entry.until = Date.now() + this.maxAgeSeconds * 1000;
    }, forget);
    return entry.value;
  }

  private async fetch(name: string): Promise<string | null> {
    try {
      return (await this.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value ?? null;
    } catch (e: unknown) {
      if (e instanceof ParameterNotFound) return null;
      throw classifyAwsError(e, `reading switch ${name}`);
    }
  }
}
