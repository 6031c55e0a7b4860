/**
 * The kill switch (seed 000) and per-runbook switches: SSM parameters an operator flips without a
 * deployment. Admit reads them for every event; anything but the exact "on" value holds the
 * runbook, so a missing or mistyped switch never lets automation run unchecked.
 */
export interface SwitchParameters {
  /** "enabled" lets runbooks act; "paused" holds them all. */
  readonly automation: string;
  /** Per runbook: "enabled" or "disabled". */
  readonly runbooks: Readonly<Record<string, string>>;
}

export const AUTOMATION_ON = 'enabled';
export const AUTOMATION_PAUSED = 'paused';
export const RUNBOOK_ON = 'enabled';
export const RUNBOOK_OFF = 'disabled';

/** The switch values as admit read them (null: the parameter does not exist). */
export interface SwitchState {
  readonly automation: string | null;
  readonly runbook: string | null;
}

/** Names of the switch parameters under a prefix, e.g. /runbook-autopilot/prod. */
export function switchParameterNames(prefix: string, runbooks: readonly string[]): SwitchParameters {
  return {
    automation: `${prefix}/automation`,
    runbooks: Object.fromEntries(runbooks.map((r) => [r, `${prefix}/runbooks/${r}`])),
  };
}

/**
 * A runbook's admission policy (lambdas/domain/admission.ts), as the stack writes it from config:
 * one parameter per enabled runbook beside its switch, so admit's environment stays the same size
 * however many runbooks there are. A deploy writes it again; an edit by hand lasts until then.
 */
export const policyParameterName = (prefix: string, runbook: string): string => `${prefix}/policies/${runbook}`;

/** What admit reads for a runbook, in one call: the kill switch, the runbook's switch and its policy. */
export interface AdmissionParameterNames {
  readonly automation: string;
  readonly runbook: string;
  readonly policy: string;
}

export function admissionParameterNames(prefix: string, runbook: string): AdmissionParameterNames {
  const switches = switchParameterNames(prefix, [runbook]);
  return { automation: switches.automation, runbook: switches.runbooks[runbook]!, policy: policyParameterName(prefix, runbook) };
}

/** Why the switches hold this runbook, or null when both are on. */
export function switchHold(runbook: string, names: SwitchParameters, state: SwitchState): string | null {
  if (state.automation !== AUTOMATION_ON) {
    return state.automation === AUTOMATION_PAUSED
      ? `automation is paused (${names.automation} = ${AUTOMATION_PAUSED})`
      : `automation switch ${names.automation} is ${state.automation === null ? 'missing' : `"${state.automation}"`}, not "${AUTOMATION_ON}": holding`;
  }
  if (state.runbook !== RUNBOOK_ON) {
    const name = names.runbooks[runbook] ?? '(none)';
    return state.runbook === RUNBOOK_OFF
      ? `${runbook} is switched off (${name} = ${RUNBOOK_OFF})`
      : `runbook switch ${name} is ${state.runbook === null ? 'missing' : `"${state.runbook}"`}, not "${RUNBOOK_ON}": holding`;
  }
  return null;
}
