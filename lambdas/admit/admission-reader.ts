import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { admissionParameterNames, type SwitchParameters, type SwitchState } from '../domain/switches';
import { secondsEnv } from '../shared/env';
import { classifyAwsError } from '../shared/errors';

/** How long a warm container reuses what it read, unless SWITCH_MAX_AGE_SECONDS says otherwise. */
export const DEFAULT_SWITCH_MAX_AGE_SECONDS = 5;

/** SWITCH_MAX_AGE_SECONDS as a whole number of seconds (0: read SSM for every event), read at cold start. */
export const switchMaxAgeSeconds = (raw: string | undefined): number => secondsEnv('SWITCH_MAX_AGE_SECONDS', raw, DEFAULT_SWITCH_MAX_AGE_SECONDS);

/** What admit read of SSM for a runbook (null: no such parameter). */
export interface AdmissionReading {
  readonly switches: SwitchState;
  /** The runbook's admission policy as the parameter holds it (JSON text). */
  readonly policy: string | null;
  /** Where the policy lives, for a message that names it. */
  readonly policyParameter: string;
  /** Where the switches live, for a hold that names them (kept with the reading, not laid out per event). */
  readonly switchNames: SwitchParameters;
}

/**
 * Reads a runbook's switches and admission policy in one GetParameters call, kept for maxAgeSeconds
 * in this warm container: a flipped switch is seen by every container within that age. Reads of a
 * runbook already on their way share it. A reading with a missing parameter is not kept, so a
 * parameter created later counts at once; errors are not kept either.
 * (Powertools Parameters' SSMProvider keeps values the same way, with 13 KB more in the bundle.)
 */
export class AdmissionReader {
  private readonly kept = new Map<string, { value: Promise<AdmissionReading>; until: number }>();

  constructor(
    private readonly prefix: string,
    private readonly maxAgeSeconds: number,
    private readonly ssm: SSMClient,
  ) {}

  read(runbook: string): Promise<AdmissionReading> {
    const kept = this.kept.get(runbook);
    if (kept && Date.now() <= kept.until) return kept.value;
    const entry = { value: this.fetch(runbook), until: Number.POSITIVE_INFINITY };
    this.kept.set(runbook, entry);
    const forget = () => {
      if (this.kept.get(runbook) === entry) this.kept.delete(runbook);
    };
    entry.value.then((r) => {
      const missing = r.switches.automation === null || r.switches.runbook === null || r.policy === null;
      if (missing || this.maxAgeSeconds === 0) forget();
      else entry.until = Date.now() + this.maxAgeSeconds * 1000;
    }, forget);
    return entry.value;
  }

  private async fetch(runbook: string): Promise<AdmissionReading> {
    const names = admissionParameterNames(this.prefix, runbook);
    let found: ReadonlyMap<string, string>;
    try {
      // Names that do not exist come back in InvalidParameters, not as an error.
      const answer = await this.ssm.send(new GetParametersCommand({ Names: [names.automation, names.runbook, names.policy] }));
      found = new Map((answer.Parameters ?? []).flatMap((p) => (p.Name !== undefined && p.Value !== undefined ? [[p.Name, p.Value]] : [])));
    } catch (e: unknown) {
      throw classifyAwsError(e, `reading ${runbook}'s switches and policy under ${this.prefix}`);
    }
    return {
      switches: { automation: found.get(names.automation) ?? null, runbook: found.get(names.runbook) ?? null },
      policy: found.get(names.policy) ?? null,
      policyParameter: names.policy,
      switchNames: { automation: names.automation, runbooks: { [runbook]: names.runbook } },
    };
  }
}
