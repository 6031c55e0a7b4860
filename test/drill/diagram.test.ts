/** `npm run drill -- <runbook> --diagram`: the runbook's flowchart with the states its run went through marked. */
import { runDrill } from './run-drill';

test('a run marks the states it went through, and only those', async () => {
  const { code, stdout, stderr } = await runDrill(['lambda-runaway', '--diagram']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const diagram = /```mermaid\n([\s\S]*?)\n```/.exec(stdout)?.[1] ?? '';
  const lines = diagram.split('\n');
  expect(lines[0]).toBe('flowchart TD');
  const visited = (state: string) => lines.some((l) => l.includes(`"${state}`) && l.endsWith(':::visited'));
  expect(visited('Receive event')).toBe(true);
  expect(visited('Stop function: reserved concurrency 0')).toBe(true);
  expect(visited('Notify remediated')).toBe(true);
  expect(visited('Escalate: function not found')).toBe(false);
  expect(visited('Notify rejected')).toBe(false);
});

test('with --json the diagram is a field of the line', async () => {
  const { code, stdout } = await runDrill(['lambda-runaway', '--diagram', '--json']);
  expect(code).toBe(0);
  const line = JSON.parse(stdout.trim()) as { diagram?: string; runbook: string };
  expect(line.runbook).toBe('lambda-runaway');
  expect(line.diagram).toMatch(/^flowchart TD\n[\s\S]*"Receive event"\]:::visited/);
});
