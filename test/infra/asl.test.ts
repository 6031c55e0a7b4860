import * as fs from 'node:fs';
import * as path from 'node:path';
import aslValidator from 'asl-validator';
import { buildCatalog, literalArns, sharedHandlers } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { RUNBOOK_NAMES } from '../../lib/config/schema';

const DIR = path.join(__dirname, '..', '..', 'statemachines');
const config = loadConfig('prod');
const arns = literalArns('aws', 'sa-east-1', '123456789012');
const catalog = buildCatalog(config, arns);
const shared = sharedHandlers(config, arns);

interface State { Type: string; Resource?: string; Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[]; Catch?: { ErrorEquals: string[]; Next: string }[]; Next?: string; Default?: string; Choices?: { Next: string }[] }
const load = (name: string) => {
  const text = fs.readFileSync(path.join(DIR, `${name}.asl.json`), 'utf8');
  return { text, definition: JSON.parse(text) as { StartAt: string; States: Record<string, State> } };
};

describe.each(RUNBOOK_NAMES)('%s.asl.json', (name) => {
  const { text, definition } = load(name);

  test('is valid Amazon States Language (its partition filled, as the drill and the stack fill it)', () => {
    const { isValid, errorsText } = aslValidator(JSON.parse(text.replaceAll('${Partition}', 'aws')));
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
  });

  test('every ${Substitution} is filled by the catalog, and the catalog fills nothing unused', () => {
    const used = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    const def = catalog.find((d) => d.name === name)!;
    const provided = new Set([shared.admit.substitution, shared.notify.substitution, ...def.handlers.map((h) => h.substitution), ...Object.keys(def.substitutions)]);
    expect([...used].sort()).toEqual([...provided].sort());
  });

  test('no ARN, partition or account is hard-coded', () => {
    expect(text).not.toMatch(/arn:aws/);
    expect(text).not.toMatch(/\d{12}/);
  });

  test('every Task retries transient AWS errors and catches the rest', () => {
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type !== 'Task') continue;
      const retried = (state.Retry ?? []).filter((r) => r.MaxAttempts !== 0).flatMap((r) => r.ErrorEquals);
      // A Lambda invoke retries the classified AWS errors its handler throws; a service integration (StartExecution) retries its failed call.
      const transient = state.Resource === 'arn:${Partition}:states:::states:startExecution' ? ['States.TaskFailed'] : ['AwsThrottled', 'AwsUnavailable', 'Lambda.TooManyRequestsException'];
      expect({ stateName, retried }).toEqual({ stateName, retried: expect.arrayContaining(transient) });
      const caught = (state.Catch ?? []).flatMap((c) => c.ErrorEquals);
      expect({ stateName, caught }).toEqual({ stateName, caught: expect.arrayContaining(['States.ALL']) });
    }
  });

  test('follows the spine: admit first, failures escalate to the critical topic and end failed', () => {
    expect(definition.States[definition.StartAt]?.Next).toBe('Admit: dedupe, allowlist, switches, cooldown');
    expect(definition.States['Record failure and escalate']?.Next).toBe('Remediation failed');
    expect(definition.States['Remediation failed']?.Type).toBe('Fail');
  });
});
