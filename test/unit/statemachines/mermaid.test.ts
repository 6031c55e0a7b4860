import { transitions, type Definition } from '../../../statemachines/src/asl';
import { MACHINES } from '../../../statemachines/src/build';
import { conditionInWords, mermaid } from '../../../statemachines/src/mermaid';
import { Spine } from '../../../statemachines/src/spine';

const spine = new Spine('test-runbook', { failure: 'Record failure and escalate' });

test('states are nodes (a Choice a rhombus, Succeed and Fail end points, a retried Task says so); Next, Choice targets with their conditions, Default and Catch are edges', () => {
  const definition: Definition = {
    Comment: 'test',
    StartAt: 'Read "it"',
    States: {
      'Read "it"': spine.invoke('StepFunctionArn', { at: '$.read', catch: [spine.catches(['TargetNotFound'], 'Gone')], next: 'Fine?' }),
      'Fine?': { Type: 'Choice', Choices: [{ Variable: '$.read.ok', BooleanEquals: true, Next: 'Done' }], Default: 'Record failure and escalate' },
      Done: { Type: 'Succeed' },
      Gone: { Type: 'Succeed' },
      'Record failure and escalate': { Type: 'Fail', Error: 'E', Cause: 'C' },
    },
  };
  expect(mermaid(definition).split('\n')).toEqual([
    'flowchart TD',
    '  start((start)) --> s0',
    '  s0["Read #quot;it#quot; (retried)"]',
    '  s0 --> s1',
    '  s0 -.->|"TargetNotFound"| s3',
    '  s0 -.->|"States.ALL"| s4',
    '  s1{"Fine?"}',
    '  s1 -->|"ok = true"| s2',
    '  s1 -->|otherwise| s4',
    '  s2(["Done"])',
    '  s3(["Gone"])',
    '  s4(["Record failure and escalate"])',
  ]);
});

test("a Map's states are a subgraph the Map points at", () => {
  const lines = mermaid(MACHINES.undo!).split('\n');
  const map = Object.keys(MACHINES.undo!.States).indexOf('Restore each recorded value');
  expect(lines).toEqual(expect.arrayContaining([
    `  subgraph s${map}_each ["Restore each recorded value: each item"]`,
    `    s${map}_start((start)) --> s${map}_0`,
    `    s${map}_0["Restore recorded value (retried)"]`,
    `  s${map} -.-> s${map}_each`,
  ]));
});

test.each(Object.entries(MACHINES))('%s: one node per state, one edge per distinct transition', (_name, definition) => {
  const lines = mermaid(definition).split('\n');
  const states = Object.entries(definition.States);
  const nodes = lines.filter((l) => /^ {2}s\d+[[({]/.test(l));
  expect(nodes).toHaveLength(states.length);
  const edges = lines.filter((l) => /^ {2}s\d+ -/.test(l) && !l.includes('_each'));
  const distinct = states.reduce((n, [, state]) => n + new Set(transitions(state).map((t) => `${t.via === 'Catch' ? `catch ${t.label}` : t.via === 'Default' ? 'default' : 'next'} ${t.to}`)).size, 0);
  expect(edges).toHaveLength(distinct);
});

test('rules to one state are one edge, their conditions joined; type guards are left out of the words', () => {
  const definition: Definition = {
    Comment: 'test',
    StartAt: 'Admitted?',
    States: {
      'Admitted?': {
        Type: 'Choice',
        Choices: [
          { Variable: '$.admission.decision', StringEquals: 'flapping', Next: 'Hold' },
          { And: [{ Variable: '$.a.count', IsNumeric: true }, { Variable: '$.a.count', NumericGreaterThan: 3 }], Next: 'Hold' },
          { Not: { Variable: '$.a.after', NumericEqualsPath: '$.a.before' }, Next: 'Done' },
        ],
        Default: 'Done',
      },
      Hold: { Type: 'Succeed' },
      Done: { Type: 'Succeed' },
    },
  };
  const lines = mermaid(definition).split('\n');
  expect(lines).toContain('  s0 -->|"decision = flapping or count > 3"| s1');
  expect(lines).toContain('  s0 -->|"not (after = before)"| s2');
  expect(conditionInWords({ Variable: '$.x.y', IsNull: false })).toBe('y is not null');
});

test('a gated step (a Task waiting for its task token) is a hexagon; visited states are marked', () => {
  const lines = mermaid(MACHINES['lambda-runaway']!, new Set(['Receive event'])).split('\n');
  expect(lines.filter((l) => l.includes('{{'))).toEqual([expect.stringMatching(/^ {2}s\d+\{\{"Ask to restore: wait for approvers \(retried\)"\}\}$/)]);
  expect(lines).toContain('  s0["Receive event"]:::visited');
  expect(lines.at(-1)).toMatch(/^ {2}classDef visited /);
  expect(lines.filter((l) => l.includes(':::visited'))).toHaveLength(1);
});
