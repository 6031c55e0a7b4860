/**
 * Every deployed handler loads zod only as zod/mini, through lambdas/shared/zod.ts: classic zod was
 * about 90 KB of each minified bundle and a large part of its cold start (docs/operating.md,
 * "Bundles and cold init"). Deploy-time code (config schemas in runbook.ts, lib/) keeps classic zod.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  approvalPageHandler, buildCatalog, executionFailureHandler, literalArns, sharedHandlers, stateMachineNameOf, triggerHandlers, undoMachine, type HandlerDef,
} from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { runtimeClosure } from './import-graph';
import { ROOT } from './support';

/** A value import of classic zod ('zod', 'zod/v4', 'zod/v4/classic'); `import type` costs nothing at run time. */
const CLASSIC_ZOD = /^import\s+(?!type\b)[^;]*?from\s+'zod(?:\/v4(?:\/classic)?)?';/m;

function handlerEntries(): string[] {
  const config = loadConfig('drill');
  const arns = literalArns('aws', config.region, '123456789012');
  const runbooks = buildCatalog(config, arns);
  const machines = runbooks.map((r) => ({ runbook: r.name, arn: arns.stateMachine(stateMachineNameOf(config.environment, r.name)), name: stateMachineNameOf(config.environment, r.name) }));
  const triggers = triggerHandlers(config, arns, machines);
  const shared = sharedHandlers(config, arns);
  const defs: HandlerDef[] = [
    shared.admit, shared.notify, shared.report, ...runbooks.flatMap((r) => r.handlers), ...undoMachine(config, arns).handlers, approvalPageHandler(config, arns),
    ...[triggers.budgetAdapter, triggers.alarmRouter].filter((d): d is HandlerDef => d !== undefined),
    executionFailureHandler(config, arns, machines),
  ];
  return [...new Set(defs.map((d) => d.entry))].sort();
}

test('every handler loads zod only as zod/mini, from lambdas/shared/zod.ts', () => {
  const entries = handlerEntries();
  expect(entries.length).toBeGreaterThan(20);
  const problems: string[] = [];
  for (const entry of entries) {
    for (const file of runtimeClosure(entry)) {
      if (file.endsWith('.ts') && CLASSIC_ZOD.test(fs.readFileSync(path.join(ROOT, file), 'utf8'))) {
        problems.push(`${entry} loads classic zod through ${file}: import zod from lambdas/shared/zod.ts (zod/mini) in handler code`);
      }
    }
  }
  expect(problems).toEqual([]);
});
