/** What a command answers: the same facts as JSON (`--json`, for scripts) and as lines a person reads. */
export interface Output {
  readonly data: unknown;
  readonly text: readonly string[];
  /** 0 unless the command found something wrong (validate). */
  readonly exitCode?: number;
}

/** Registered runbook names, from the generated triggers table: cheap to load, no module code. */
export async function runbookNames(): Promise<string[]> {
  return Object.keys((await import('../../lambdas/shared/runbook-triggers.generated.json')).default);
}
