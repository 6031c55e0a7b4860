/**
 * The generated pages (npm run docs): current with the runbook modules and config, and saying what
 * they read from them.
 */
import { generatedPages, stalePages } from '../../tools/docs/cli';
import { MODULES } from '../../lib/catalog';
import { SEED_PROCEDURES } from '../../runbooks/seed-procedures';

const pages = generatedPages();

test('every page under docs/ is what npm run docs generates (run it after changing a runbook, its config or the seed list)', () => {
  expect(stalePages(pages)).toEqual([]);
});

test('one page per state machine, each with its diagram', () => {
  expect([...pages.keys()].filter((f) => f.startsWith('runbooks/')).sort()).toEqual([...MODULES.map((m) => `runbooks/${m.name}.md`), 'runbooks/undo.md'].sort());
  for (const [file, text] of pages) if (file.startsWith('runbooks/')) expect(text).toMatch(/```mermaid\nflowchart TD\n/);
});

test('the matrix lists every alert and procedure once, linking the runbook that answers it', () => {
  const matrix = pages.get('alert-matrix.md')!;
  for (const p of Object.values(SEED_PROCEDURES)) expect(matrix.split('\n').filter((l) => l.includes(`| ${p.title.replace(/\|/g, '\\|')} |`))).toHaveLength(1);
  const row = matrix.split('\n').find((l) => l.startsWith('| Lambda Timeouts |'));
  expect(row).toContain('[lambda-timeouts](runbooks/lambda-timeouts.md)');
  expect(row).toContain('prod: raise: 2 approvers');
});

test("a runbook's page shows each environment's gates and targets from its config, and the actions its policies grant", () => {
  const page = pages.get('runbooks/lambda-runaway.md')!;
  expect(page).toContain('| gates | restore: auto-approved; undo: auto-approved | restore: 1 approver; undo: 1 approver | restore: 2 approvers; undo: 2 approvers |');
  expect(page).toContain('`cabruca-segmentation-prod-manager-agent`');
  expect(page).toMatch(/`lambda:PutFunctionConcurrency`/);
  expect(page).toContain('can put back its `lambda:PutFunctionConcurrency`');
  expect(pages.get('runbooks/ecs-service-recovery.md')).toContain('None: nothing it changes has an inverse');
});
