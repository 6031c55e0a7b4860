import { ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { GetParameterError } from '@aws-lambda-powertools/parameters';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SwitchParameters, SwitchState } from '../domain/switches';
import { classifyAwsError } from '../shared/errors';

/** How long a warm container reuses a switch value it read, unless SWITCH_MAX_AGE_SECONDS says otherwise. */
export const DEFAULT_SWITCH_MAX_AGE_SECONDS = 5;

/** SWITCH_MAX_AGE_SECONDS as a whole number of seconds (0: read SSM for every event), read at cold start. */
export function switchMaxAgeSeconds(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_SWITCH_MAX_AGE_SECONDS;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`SWITCH_MAX_AGE_SECONDS must be a whole number of seconds (0 or more), not "${raw}"`);
  return seconds;
}

/**
 * Reads the kill switch and a runbook's switch, each value kept for maxAgeSeconds in this warm
 * container (Powertools Parameters): a flipped switch is seen by every container within that age.
 * A missing parameter reads as null and is not kept, so a switch created later counts at once.
 */
export class SwitchReader {
  private readonly provider: SSMProvider;

  constructor(private readonly names: SwitchParameters, private readonly maxAgeSeconds: number, client: SSMClient) {
    this.provider = new SSMProvider({ awsSdkV3Client: client });
  }

  async read(runbook: string): Promise<SwitchState> {
    const [automation, runbookSwitch] = await Promise.all([this.value(this.names.automation), this.value(this.names.runbooks[runbook])]);
    return { automation, runbook: runbookSwitch };
  }

  private async value(name: string | undefined): Promise<string | null> {
    if (!name) return null;
    try {
      return (await this.provider.get(name, { maxAge: this.maxAgeSeconds })) ?? null;
    } catch (e: unknown) {
      // The provider wraps the SDK's error; the cause says what SSM answered.
      const cause = e instanceof GetParameterError && e.cause !== undefined ? e.cause : e;
      if (cause instanceof ParameterNotFound) return null;
      throw classifyAwsError(cause, `reading switch ${name}`);
    }
  }
}
