import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FAILURES_HEARD, render, UNGUARDED, type Definition, type States } from '../../../statemachines/src/asl';
import { staleness } from '../../../statemachines/src/build';
import { checkDefinition, DefinitionError } from '../../../statemachines/src/check';
import { assemble, runbookMachine, Spine } from '../../../statemachines/src/spine';

const spine = new Spine('test-runbook');
const FILLED = new Set(['AdmitFunctionArn', 'NotifyFunctionArn', 'ReportFunctionArn', 'StepFunctionArn', 'Partition']);

/** A small runbook through the spine: admit, one step, notify; `states` replaces or adds states. */
const machine = (states: States = {}): Definition => runbookMachine(spine, {
  comment: 'test', admitted: 'Do the step',
  states: [{
    'Do the step': spine.invoke('StepFunctionArn', { at: '$.step', next: 'Notify done' }),
    'Notify done': spine.notify('remediated', 'done'),
  }, states],
});
const problems = (definition: Definition, filled: ReadonlySet<string> = FILLED): readonly string[] => {
  try {
    checkDefinition('test-runbook', definition, filled);
    return [];
  } catch (e: unknown) {
    if (e instanceof DefinitionError) return e.problems;
    throw e;
  }
};
/** Replaces one state of `machine()` (assemble refuses a second definition of a name). */
const withState = (name: string, state: unknown): Definition => {
  const base = machine();
  return { ...base, States: { ...base.States, [name]: state as States[string] } };
};

test('a machine built from the spine passes every check', () => {
  expect(problems(machine())).toEqual([]);
});

test('a Next that names no state is named, with the state it leaves', () => {
  const definition = withState('Do the step', spine.invoke('StepFunctionArn', { at: '$.step', next: 'Notify dne' }));
  expect(problems(definition)).toEqual([
    'test-runbook: "Do the step" goes to "Notify dne" (Next), which is not a state',
    'test-runbook: "Notify done" is unreachable from "Receive event"',
  ]);
});

test('a Catch, a Choice rule or a Default that names no state is named', () => {
  const catching = withState('Do the step', spine.invoke('StepFunctionArn', { catch: [spine.catches(['TargetNotFound'], 'Escalate: gone')], next: 'Notify done' }));
  expect(problems(catching)).toEqual(['test-runbook: "Do the step" goes to "Escalate: gone" (Catch), which is not a state']);
  const choosing = withState('Admitted?', { Type: 'Choice', Choices: [{ Variable: '$.x', StringEquals: 'y', Next: 'Do the stpe' }], Default: 'Nowhere' });
  expect(problems(choosing)).toEqual(expect.arrayContaining([
    'test-runbook: "Admitted?" goes to "Do the stpe" (Choice), which is not a state',
    'test-runbook: "Admitted?" goes to "Nowhere" (Default), which is not a state',
  ]));
});

test('a state nothing reaches from StartAt is named', () => {
  expect(problems(machine({ 'Notify orphan': spine.notify('skipped', 'never sent') }))).toEqual([
    'test-runbook: "Notify orphan" is unreachable from "Receive event"',
  ]);
});

test('a Task without Retry is named; one marked UNGUARDED with its reason is not', () => {
  const step = spine.invoke('StepFunctionArn', { at: '$.step', next: 'Notify done' });
  // @ts-expect-error: the type asks for a Retry, or the UNGUARDED mark
  const noRetry: States[string] = { ...step, Retry: undefined };
  expect(problems(withState('Do the step', noRetry))).toEqual([
    'test-runbook: "Do the step" is a Task without a Retry (mark it UNGUARDED, with the reason, if that is meant)',
  ]);
  expect(problems(withState('Do the step', { ...step, Retry: undefined, [UNGUARDED]: 'the caller retries' }))).toEqual([]);
});

test("a runbook's Task catches only what it decides: a failure after its Retry fails the execution, which the stack hears", () => {
  const step = spine.invoke('StepFunctionArn', { catch: [spine.catches(['TargetNotFound'], 'Notify done')], at: '$.step', next: 'Notify done' });
  expect(step.Catch).toEqual([{ ErrorEquals: ['TargetNotFound'], ResultPath: '$.error', Next: 'Notify done' }]);
  expect(spine.invoke('StepFunctionArn', { next: 'Notify done' })).not.toHaveProperty('Catch');
  expect(spine.notify('remediated', 'done')).not.toHaveProperty('Catch');
  expect(problems(withState('Do the step', step))).toEqual([]);
});

test('in a machine whose failed executions nobody hears, a Task whose Catch has no States.ALL is named', () => {
  const { [FAILURES_HEARD]: _heard, ...unheard } = withState('Do the step', spine.invoke('StepFunctionArn', { catch: [spine.catches(['TargetNotFound'], 'Notify done')], next: 'Notify done' }));
  const unheardTask = (name: string) => `test-runbook: "${name}" is a Task whose Catch has no States.ALL: an error would end the execution without escalating (mark it UNGUARDED, with the reason, if that is meant)`;
  expect(problems(unheard)).toEqual(expect.arrayContaining([unheardTask('Do the step'), unheardTask('Notify done'), unheardTask('Admit: dedupe, allowlist, switches, cooldown')]));
  expect(problems(withState('Do the step', spine.invoke('StepFunctionArn', { catch: [spine.catches(['TargetNotFound'], 'Notify done')], next: 'Notify done' })))).toEqual([]);
  const withPath = new Spine('test-runbook', { failure: 'Record failure', failed: 'Failed' });
  expect(withPath.invoke('StepFunctionArn', { next: 'Notify done' }).Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Record failure' }]);
  expect(withPath.notify('failed', 'x').Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.notifyError', Next: 'Failed' }]);
  expect(() => runbookMachine(withPath, { comment: 't', admitted: 'x', states: [] })).toThrow(DefinitionError);
});

test('a Choice without a Default is named', () => {
  // @ts-expect-error: the type asks for a Default
  const choice: States[string] = { Type: 'Choice', Choices: [{ Variable: '$.admission.decision', StringEquals: 'admit', Next: 'Do the step' }] };
  expect(problems(withState('Admitted?', choice))).toEqual(expect.arrayContaining([
    'test-runbook: "Admitted?" is a Choice without a Default: an input no rule matches would fail the execution',
  ]));
});

test('a state with both or neither of Next and End is named', () => {
  expect(problems(withState('Notify done', { ...spine.notify('remediated', 'done'), Next: 'Do the step' }))).toEqual([
    'test-runbook: "Notify done" needs exactly one of Next and End',
  ]);
  expect(problems(withState('Receive event', { Type: 'Pass' }))).toEqual(expect.arrayContaining([
    'test-runbook: "Receive event" needs exactly one of Next and End',
  ]));
});

test('a substitution the stack does not fill for the machine is named, with what it does fill', () => {
  const definition = withState('Do the step', spine.invoke('StepFunctonArn', { at: '$.step', next: 'Notify done' }));
  expect(problems(definition)).toEqual([
    'test-runbook: "Do the step" uses ${StepFunctonArn}, which the stack does not fill for test-runbook (it fills AdmitFunctionArn, NotifyFunctionArn, Partition, ReportFunctionArn, StepFunctionArn)',
  ]);
});

test('an ARN that hard-codes the partition is named', () => {
  const step = spine.invoke('StepFunctionArn', { at: '$.step', next: 'Notify done' });
  expect(problems(withState('Do the step', { ...step, Resource: 'arn:aws-us-gov:states:::lambda:invoke' }))).toEqual([
    'test-runbook: "Do the step" hard-codes the partition in arn:aws-us-gov:states:::lambda:invoke: write arn:${Partition}:..., which the stack fills',
  ]);
});

test("a Map's own states are checked in their own scope", () => {
  const map = {
    Type: 'Map', ItemsPath: '$.items', ResultPath: '$.each', Catch: [spine.catches(['States.ALL'], 'Notify done')], Next: 'Notify done',
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Each', States: { Each: { Type: 'Pass', Next: 'Notify done' } } },
  };
  expect(problems(withState('Do the step', map))).toEqual([
    'test-runbook: "Each" (inside the Map "Do the step") goes to "Notify done" (Next), which is not a state',
  ]);
});

test('a state defined twice is named rather than overwritten', () => {
  expect(() => machine({ 'Notify done': spine.notify('skipped', 'again') })).toThrow(new DefinitionError(['test-runbook: "Notify done" is defined twice']));
  expect(() => assemble('test-runbook', [{ A: { Type: 'Succeed' } }, { A: { Type: 'Succeed' } }])).toThrow('test-runbook: "A" is defined twice');
});

describe('staleness of a committed file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'statemachines-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const definition = machine();
  const built = { name: 'test-runbook', file: path.join(dir, 'test-runbook.asl.json'), definition, text: render(definition) };

  test('missing, the same, laid out differently, or different at named paths', () => {
    expect(staleness(built)).toBe('missing');
    fs.writeFileSync(built.file, built.text);
    expect(staleness(built)).toBeUndefined();
    fs.writeFileSync(built.file, JSON.stringify(JSON.parse(built.text)));
    expect(staleness(built)).toBe('same definition, different layout');
    const edited = JSON.parse(built.text) as { States: Record<string, { Retry?: { MaxAttempts: number }[] }> };
    edited.States['Do the step']!.Retry![0]!.MaxAttempts = 9;
    fs.writeFileSync(built.file, JSON.stringify(edited, null, 2));
    expect(staleness(built)).toBe('differs at\n  States["Do the step"].Retry[0].MaxAttempts');
  });
});

test("verifiedBy: the report step is told which check's field is the verification; a field no check writes is refused", () => {
  const verified = (verifiedBy: string) => runbookMachine(spine, {
    comment: 'test', admitted: 'Do the step', verifiedBy,
    states: [{ 'Do the step': spine.invoke('StepFunctionArn', { at: '$.step', next: 'Notify done' }), 'Notify done': spine.notify('remediated', 'done') }],
  });
  const facts = (d: Definition) => (d.States['Write the incident report'] as unknown as { Parameters: { Payload: { facts: Record<string, unknown> } } }).Parameters.Payload.facts;
  expect(facts(verified('$.step'))).toMatchObject({ verifiedBy: 'step', steps: { step: 'Do the step' } });
  expect(facts(machine())).not.toHaveProperty('verifiedBy');
  expect(() => verified('$.check')).toThrow(new DefinitionError(['test-runbook: verifiedBy $.check is not a field one of its checks writes ($.step)']));
  expect(() => verified('check')).toThrow(DefinitionError);
});
