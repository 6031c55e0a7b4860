/** The contract suite's drill runs: the command a user types, with the calls each input led to. */
import { drillCommand } from '../support/drills';
import type { RunResult } from './support';

export interface ContractRun {
  readonly args: readonly string[];
  readonly code: number;
  readonly stderr: string;
  readonly results: readonly RunResult[];
}

/** `npm run drill -- <args> --json --calls`, as a user runs it, in the test run's drill processes (test/support/drills.ts). */
export async function drillRun(args: readonly string[]): Promise<ContractRun> {
  const { args: all, code, stdout, stderr } = await drillCommand([...args, '--json', '--calls']);
  const results = code === 0 ? stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as RunResult) : [];
  return { args: all, code, stderr, results };
}
