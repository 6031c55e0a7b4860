/** `autopilot validate`: each config against its schema, every state machine against its source. */
import { autopilot } from './run';

// staging's config fails its schema here (until a test lets it load), as a bad field would; the others load as they are.
let mockStaging: 'fails' | 'loads' = 'fails';
jest.mock('../../../lib/config/load', () => {
  const actual = jest.requireActual<typeof import('../../../lib/config/load')>('../../../lib/config/load');
  return {
    ...actual,
    loadConfig: (env: string) => {
      if (env === 'staging' && mockStaging === 'fails') throw new actual.ConfigError('Invalid config config/staging.json: approvals.requiredApprovals: Too small: expected number to be >=0');
      return actual.loadConfig(env);
    },
  };
});

test('a config that does not load is named with its problem, exit 1', async () => {
  const run = await autopilot('validate', '--json');
  const found = JSON.parse(run.stdout) as { ok: boolean; configs: { name: string; ok: boolean; problem?: string }[]; stateMachines: { name: string; ok: boolean }[] };

  expect(run.code).toBe(1);
  expect(found.ok).toBe(false);
  expect(found.configs).toEqual([
    { name: 'config/dev.json', ok: true }, { name: 'config/drill.json', ok: true }, { name: 'config/prod.json', ok: true },
    { name: 'config/staging.json', ok: false, problem: expect.stringContaining('approvals.requiredApprovals') },
  ]);
  // What each state machine may use is read from every environment's config: none is checked until all load.
  expect(found.stateMachines).toEqual([{ name: 'statemachines', ok: false, problem: expect.stringMatching(/^not checked: every config must load first \(Invalid config config\/staging\.json/) }]);
});

test('--env checks that environment alone, and every state machine against its source: valid is exit 0', async () => {
  mockStaging = 'loads';
  const run = await autopilot('--env', 'prod', 'validate');
  const text = run.stdout.trimEnd().split('\n');
  expect(run.code).toBe(0);
  expect(text.slice(0, 3)).toEqual(['configs:', '  ok      config/prod.json', 'state machines:']);
  expect(text).toContain('  ok      statemachines/undo.asl.json');
  expect(text.filter((l) => l.startsWith('  ') && !l.startsWith('  ok '))).toEqual([]);
  expect(text.at(-1)).toBe('valid');
});
