import * as fs from 'node:fs';
import * as path from 'node:path';
import aslValidator from 'asl-validator';
import { literalArns, sharedHandlers, undoMachine } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';

const config = loadConfig('prod');
const arns = literalArns('aws', 'sa-east-1', '123456789012');
const text = fs.readFileSync(path.join(__dirname, '..', '..', 'statemachines', 'undo.asl.json'), 'utf8');

interface State {
  Type: string; Next?: string; End?: boolean;
  Retry?: { ErrorEquals: string[] }[]; Catch?: { ErrorEquals: string[]; Next: string }[];
  ItemProcessor?: { States: Record<string, State> };
}
const definition = JSON.parse(text) as { StartAt: string; States: Record<string, State> };
const map = definition.States['Restore each recorded value']!;

test('is valid Amazon States Language', () => {
  const { isValid, errorsText } = aslValidator(JSON.parse(text.replaceAll('${Partition}', 'aws')));
  expect(errorsText()).toBe('');
  expect(isValid).toBe(true);
});

test('every ${Substitution} is filled by the catalog, and the catalog fills nothing unused', () => {
  const used = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
  const shared = sharedHandlers(config, arns);
  const provided = [shared.notify.substitution, shared.report.substitution, ...undoMachine(config, arns).handlers.map((h) => h.substitution), ...Object.keys(undoMachine(config, arns).substitutions)];
  expect([...used].sort()).toEqual(provided.sort());
  expect(text).not.toMatch(/arn:aws|\d{12}/);
});

test('every Task, the restore inside the Map too, retries transient errors; every top-level Task and the Map catch the rest', () => {
  const tasks = [...Object.entries(definition.States), ...Object.entries(map.ItemProcessor?.States ?? {})].filter(([, s]) => s.Type === 'Task');
  expect(tasks.length).toBeGreaterThanOrEqual(8);
  for (const [name, state] of tasks) {
    expect({ name, retried: (state.Retry ?? []).flatMap((r) => r.ErrorEquals) })
      .toEqual({ name, retried: expect.arrayContaining(['AwsThrottled', 'AwsUnavailable', 'Lambda.TooManyRequestsException']) });
  }
  for (const [name, state] of Object.entries(definition.States).filter(([, s]) => s.Type === 'Task' || s.Type === 'Map')) {
    expect({ name, caught: (state.Catch ?? []).flatMap((c) => c.ErrorEquals) }).toEqual({ name, caught: expect.arrayContaining(['States.ALL']) });
  }
  // A table still switching is waited out, not escalated.
  expect(map.ItemProcessor?.States['Restore recorded value']?.Retry?.flatMap((r) => r.ErrorEquals)).toContain('TableBusy');
});

test('follows the spine: admit and plan, restore one at a time, verify, notify; failures end failed', () => {
  expect(definition.States[definition.StartAt]?.Next).toBe('Admit and plan the undo');
  expect(map).toMatchObject({ Type: 'Map', MaxConcurrency: 1, Next: 'Verify restored values' });
  expect(definition.States['Record failure and escalate']?.Next).toBe('Escalate failure');
  expect(definition.States['Escalate failure']?.Next).toBe('Undo failed');
  expect(definition.States['Undo failed']?.Type).toBe('Fail');
});

test("each decided ending rewrites the incident's report with the undo in it, from the ledger alone (the undo's own data is not the incident's)", () => {
  const ends = Object.entries(definition.States).filter(([, s]) => s.End === true || s.Type === 'Succeed' || s.Type === 'Fail').map(([n]) => n).sort();
  expect(ends).toEqual(['Count the unwritten report', 'Report not written, not counted', 'Undo failed', 'Write the incident report'].sort());
  const routed = Object.entries(definition.States).filter(([, s]) => s.Next === 'Write the incident report').map(([n]) => n).sort();
  expect(routed).toEqual(['Escalate: not restored', 'Notify undo not approved', 'Notify undo refused', 'Notify undone']);
  const report = definition.States['Write the incident report'] as State & { Parameters?: { Payload?: Record<string, unknown> } };
  expect(report.Parameters?.Payload).toEqual({ mode: 'write', machine: 'undo', 'incident.$': '$.admission.incident', execution: expect.any(Object) });
});

test('catalog: the stuck tasks are put back on the configured tasks table only, and only while dynamodb-throttling cleans one up', () => {
  const itemGrants = (c: typeof config) => Object.fromEntries(undoMachine(c, arns).handlers
    .filter((h) => h.id === 'UndoRestore' || h.id === 'UndoFinish')
    .map((h) => [h.id, h.permissions.filter((p) => p.actions.some((a) => a.endsWith('Item')))]));
  const tasks = arns.dynamodbTable('cabruca-segmentation-prod-agent-tasks');
  expect(itemGrants(config)).toEqual({
    UndoRestore: [{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [tasks] }],
    UndoFinish: [{ actions: ['dynamodb:GetItem'], resources: [tasks] }],
  });
  const noTasks = structuredClone(config);
  delete (noTasks.runbooks['dynamodb-throttling'] as { stuckTasks?: unknown }).stuckTasks;
  const disabled = structuredClone(config);
  disabled.runbooks['dynamodb-throttling'].enabled = false;
  for (const c of [noTasks, disabled]) expect(itemGrants(c)).toEqual({ UndoRestore: [], UndoFinish: [] });
});
