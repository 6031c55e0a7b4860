/**
 * The alert coverage matrix's source: every seed procedure and every alert of seed 004's response
 * matrix (read from the seed itself) is answered by a registered runbook or says why not, never
 * both; a procedure a runbook pages for is page-only and carries the seed's steps;
 * every runbook answers or pages for at least one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SEED_PROCEDURES, type SeedProcedure, type SeedProcedureId } from '../../runbooks/seed-procedures';
import { EACH_RUNBOOK, ROOT } from './support';

const SEEDS = path.join(ROOT, '..', 'shared', 'seeds');
const ENTRIES = Object.entries(SEED_PROCEDURES) as [SeedProcedureId, SeedProcedure][];

/** Alert names in seed 004's response matrix (its Markdown table), as the seed writes them. */
function seedAlerts(): string[] {
  const file = fs.readdirSync(SEEDS).find((f) => f.startsWith('004_'));
  if (!file) throw new Error(`no seed 004 in ${SEEDS}`);
  return fs.readFileSync(path.join(SEEDS, file), 'utf8').split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Alert |'))
    .map((l) => l.split('|')[1]!.trim());
}

test("every alert of seed 004's response matrix has its entry", () => {
  const alerts = seedAlerts();
  expect(alerts.length).toBeGreaterThan(10);
  const titles = ENTRIES.filter(([, p]) => p.seed === '004').map(([, p]) => p.title);
  expect(titles.sort()).toEqual([...alerts].sort());
});

test('each procedure is answered by a runbook, by every runbook, or says why not: one of them', () => {
  const problems: string[] = [];
  for (const [id, p] of ENTRIES) {
    const by = EACH_RUNBOOK.filter(([, m]) => m.answers.includes(id)).map(([name]) => name);
    if (by.length === 0 && !p.unautomated && !p.everyRunbook) problems.push(`${id}: no runbook answers it (a module's answers or everyRunbook) and it does not say why (unautomated)`);
    if (by.length > 0 && p.unautomated) problems.push(`${id}: answered by ${by.join(', ')}, and still marked ${p.unautomated.kind}: remove its unautomated`);
    if (p.everyRunbook && (by.length > 0 || p.unautomated)) problems.push(`${id}: done by every runbook, and also ${by.length > 0 ? `answered by ${by.join(', ')}` : `marked ${p.unautomated!.kind}`}: one of them`);
  }
  expect(problems).toEqual([]);
});

test('a procedure a runbook pages for is page-only, and has the seed\'s steps to page with', () => {
  const problems: string[] = [];
  for (const [name, m] of EACH_RUNBOOK) {
    for (const id of m.pages ?? []) {
      const p: SeedProcedure = SEED_PROCEDURES[id];
      if (p.unautomated?.kind !== 'page-only') problems.push(`${name} pages for ${id}, which is ${p.unautomated ? p.unautomated.kind : 'answered'}, not page-only`);
      if (!p.steps || p.steps.length === 0) problems.push(`${name} pages for ${id}, which has no steps to page with`);
    }
  }
  expect(problems).toEqual([]);
});

test.each(EACH_RUNBOOK)('%s answers or pages for at least one seed procedure', (_name, m) => {
  expect(m.answers.length + (m.pages?.length ?? 0)).toBeGreaterThan(0);
});
