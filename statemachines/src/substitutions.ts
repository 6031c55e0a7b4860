/**
 * The ${Substitutions} the stack fills for each state machine, read from the catalog in every
 * environment of config/: a machine may use a name only if every environment that deploys it
 * fills it. Runbooks are given the shared admit, notify and report functions, the undo notify and
 * report only (as lib/autopilot-stack.ts and the drill wire them).
 */
import * as fs from 'node:fs';
import { buildCatalog, literalArns, sharedHandlers, undoMachine } from '../../lib/catalog';
import { CONFIG_DIR, loadConfig } from '../../lib/config/load';

export function stackSubstitutions(): ReadonlyMap<string, ReadonlySet<string>> {
  const filled = new Map<string, Set<string>>();
  const environments = fs.readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
  for (const environment of environments) {
    const config = loadConfig(environment);
    const arns = literalArns('aws', config.region, '123456789012');
    const shared = sharedHandlers(config, arns);
    const machines = [
      ...buildCatalog(config, arns).map((def) => ({ def, shared: [shared.admit, shared.notify, shared.report] })),
      { def: undoMachine(config, arns), shared: [shared.notify, shared.report] },
    ];
    for (const { def, shared: given } of machines) {
      const names = new Set([...given, ...def.handlers].map((h) => h.substitution).concat(Object.keys(def.substitutions)));
      const before = filled.get(def.name);
      filled.set(def.name, before ? new Set([...before].filter((n) => names.has(n))) : names);
    }
  }
  return filled;
}
