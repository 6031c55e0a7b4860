interface PathState { Next?: string; Default?: string; Choices?: { Next: string }[]; Catch?: { Next: string }[] }

/** Every state of `machine` that can transition to `name` (Next, Default, a Choice or a Catch). */
export function predecessorsIn(machine: Readonly<Record<string, PathState>>, name: string): string[] {
  return Object.entries(machine).filter(([, s]) => [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].includes(name)).map(([n]) => n);
}

/**
 * A dry run's gate asks nobody: its one way past the approval is the gate's Choice on
 * $.admission.dryRun, into a Pass that hands the step `not-asked`; the step then plans and calls nothing.
 */
export function expectDryRunBypassOnly(machine: Readonly<Record<string, PathState>>, dryRunChoice: string): void {
  expect(machine[dryRunChoice]!.Choices).toEqual([{ Variable: '$.admission.dryRun', BooleanEquals: true, Next: 'Dry run: no approval asked' }]);
  expect(predecessorsIn(machine, 'Dry run: no approval asked')).toEqual([dryRunChoice]);
  expect(machine['Dry run: no approval asked']).toMatchObject({ Type: 'Pass', Result: { decision: 'not-asked' }, ResultPath: '$.approval' });
}
