import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectDryRunBypassOnly } from './gate-paths';

interface State { Type: string; Next?: string; Default?: string; Resource?: string; Parameters?: { FunctionName?: string }; Choices?: { Next: string; Variable?: string; StringEquals?: string; And?: unknown[] }[]; Catch?: { ErrorEquals: string[]; Next: string }[] }
const asl = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'statemachines', 'lambda-runaway.asl.json'), 'utf8')) as { States: Record<string, State> };
const states = asl.States;

/** Every state that can transition to `name`. */
function predecessors(name: string): string[] {
  return Object.entries(states).filter(([, s]) => [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].includes(name)).map(([n]) => n);
}
const byFunction = (arn: string) => Object.entries(states).filter(([, s]) => s.Parameters?.FunctionName === arn).map(([n]) => n);

test('the restore is reachable only through the Choice on $.approval.decision, or in a dry run (which calls nothing) through the Choice on $.admission.dryRun', () => {
  const [restore] = byFunction('${RestoreFunctionArn}');
  expect(predecessors(restore!).sort()).toEqual(['Dry run: no approval asked', 'Restore approved?']);
  expectDryRunBypassOnly(states, 'Dry run?');
  const choice = states['Restore approved?']!;
  expect(choice.Default).not.toBe(restore);
  expect(choice.Choices!.filter((c) => c.Next === restore).map((c) => c.Variable ?? 'and')).toEqual(['$.approval.decision', 'and']);
});

test('the approval is asked only after the stop is verified, by a waitForTaskToken Task whose rejection and timeout are caught', () => {
  const [ask] = byFunction('${ApprovalRequestFunctionArn}').filter((n) => states[n]!.Resource?.endsWith('.waitForTaskToken'));
  // Stop verified -> alarm back to OK -> what invokes the function (or evidence unavailable) -> the approval.
  expect(predecessors('Prepare restore approval').sort()).toEqual(['Evidence unavailable', 'Find what invokes the function']);
  expect(predecessors('Find what invokes the function')).toEqual(['Alarm back to OK?']);
  expect(predecessors('Start verifying the alarm')).toEqual(['Stopped?']);
  expect(predecessors('Dry run?')).toEqual(['Prepare restore approval']);
  expect(predecessors(ask!).sort()).toEqual(['Dry run?', 'Re-send to L2', 'Re-send to L3']);
  // Any other error fails the execution at the ask (a redrive asks again).
  expect(states[ask!]!.Catch!.map((c) => c.ErrorEquals[0])).toEqual(['ApprovalRejected', 'States.Timeout']);
  // The stop does not wait for anyone.
  expect(predecessors('Stop function: reserved concurrency 0')).toEqual(['Already stopped?']);
});
