/**
 * The contract every registered runbook keeps, read from its module without running it: where its
 * files are, that each environment configures it, that its state machine is what its source
 * builds and invokes only handlers it defines, that its handlers bundle no deploy-time code, that
 * its gates have words, its reversible changes an inverse, and its drill what it needs. A module
 * that leaves something out fails with a sentence naming the runbook and the missing part.
 * (Running it is drills.test.ts.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { gatePagesOf } from '../../lambdas/approval/gate-words';
import { assertEventPattern } from '../../lambdas/domain/event-pattern';
import { REVERSIBLE } from '../../lambdas/domain/reversible';
import {
  approvalPageHandler, buildCatalog, contextOf, enabledRunbooks, eventRoutes, literalArns, MODULES, runbookConfig, sharedHandlers, stateMachineNameOf, triggerHandlers, undoMachine, type AnyRunbook,
} from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { gatePolicyOf } from '../../runbooks/module';
import { RUNBOOKS } from '../../runbooks/registry';
import { buildAll, sourceOf, staleness } from '../../statemachines/src/build';
import { runtimeClosure } from './import-graph';
import { EACH_RUNBOOK, ENVIRONMENTS, exists, ROOT } from './support';

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const configs = () => ENVIRONMENTS.map((env) => ({ env, config: loadConfig(env) }));
const arnsFor = (region: string) => literalArns('aws', region, '123456789012');

/** What no Lambda bundle may load: the stack, config and module code, the drill, CDK. */
const DEPLOY_TIME = [
  /^lib\//, /^drill\//, /^statemachines\//, /^bin\//, /^tools\//, /^bench\//,
  /^runbooks\/(registry|module|kit|config)\.ts$/, /^runbooks\/[^/]+\/(runbook|statemachine)\.ts$/,
  /^(aws-cdk-lib|constructs|cdk-nag)$/,
];

/** Whether a handler file exports `handler`, read from its source. */
function exportsHandler(file: string): boolean {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, false);
  return source.statements.some((s) =>
    (ts.isVariableStatement(s) && s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) && s.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === 'handler'))
    || (ts.isFunctionDeclaration(s) && s.name?.text === 'handler' && s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
    || (ts.isExportDeclaration(s) && !!s.exportClause && ts.isNamedExports(s.exportClause) && s.exportClause.elements.some((e) => e.name.text === 'handler')));
}

test('every folder in runbooks/ is a registered runbook, and each is registered once', () => {
  const folders = fs.readdirSync(path.join(ROOT, 'runbooks'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  const names = RUNBOOKS.map((m) => m.name);
  const problems = [
    ...folders.filter((f) => !names.includes(f as (typeof names)[number]))
      .map((f) => `runbooks/${f}/ is not registered: import its runbook.ts in runbooks/registry.ts and list it in RUNBOOKS`),
    ...names.filter((n, i) => names.indexOf(n) !== i).map((n) => `${n} is listed twice in runbooks/registry.ts`),
  ];
  expect(problems).toEqual([]);
});

test('handler ids are unique across the runbooks (each names a function of the stack and of the drill)', () => {
  const owners = new Map<string, string[]>();
  for (const { config } of configs()) {
    const arns = arnsFor(config.region);
    for (const def of [...buildCatalog(config, arns), undoMachine(config, arns)]) {
      for (const h of def.handlers) owners.set(h.id, [...new Set([...(owners.get(h.id) ?? []), def.name])]);
    }
  }
  expect([...owners].filter(([, by]) => by.length > 1).map(([id, by]) => `handler id ${id} is used by ${by.join(' and ')}: give each its own`)).toEqual([]);
});

test("every function's environment fits in Lambda's 4 KB, in every environment", () => {
  const problems: string[] = [];
  for (const { env, config } of configs()) {
    const arns = arnsFor(config.region);
    const shared = sharedHandlers(config, arns);
    const machines = enabledRunbooks(config).map((m) => ({ runbook: m.name, arn: arns.stateMachine(stateMachineNameOf(env, m.name)), name: stateMachineNameOf(env, m.name) }));
    const triggers = triggerHandlers(config, arns, machines);
    const handlers = [
      shared.admit, shared.notify, shared.report, approvalPageHandler(config, arns), ...Object.values(triggers),
      ...[...buildCatalog(config, arns), undoMachine(config, arns)].flatMap((d) => d.handlers),
    ];
    for (const h of handlers) {
      // The stack adds a few of its own (ledger table, topics, the page's URL): leave them room.
      const size = Object.entries(h.environment).reduce((n, [k, v]) => n + k.length + v.length, 0);
      if (size > 3_500) problems.push(`${h.id}'s environment in config/${env}.json is ${size} bytes; Lambda allows 4 KB in all (the stack adds some): keep each runbook's part small`);
    }
  }
  expect(problems).toEqual([]);
});

test('two runbooks that make the same call say the same of how the fault matrix treats it', () => {
  const said = new Map<string, { by: string; what: string }>();
  const problems: string[] = [];
  for (const m of MODULES) {
    const facts = [
      // What a call changes is the runbook's own (drill/undo-result.ts reads each runbook's drill.changes): ecs:UpdateService
      // forces a new deployment in one runbook and sets a desired count in another. So is bestEffort: what one reads as
      // evidence another may read as a safety check (test/faults/plan.ts).
      ...m.drill.calls.map((c) => [`fault facts of ${c.call}`, JSON.stringify({ mutates: c.mutates ?? false, notFound: c.notFound ?? null })] as const),
    ];
    for (const [key, what] of facts) {
      const before = said.get(key);
      if (before && before.what !== what) problems.push(`${m.name} and ${before.by} say different things of the ${key}: ${what} and ${before.what}`);
      else said.set(key, { by: m.name, what });
    }
  }
  expect(problems).toEqual([]);
});

test('no two runbooks route the same metric: one alarm starts one runbook, never two acting on one target at once', () => {
  const routedBy = new Map<string, string>();
  const problems: string[] = [];
  for (const m of MODULES) {
    if (m.trigger?.kind !== 'alarm') continue;
    for (const selector of m.trigger.route.selectors) {
      for (const metric of selector.namespaces.flatMap((ns) => selector.metricNames.map((name) => `${ns} ${name}`))) {
        const before = routedBy.get(metric);
        if (before && before !== m.name) problems.push(`${m.name} and ${before} both route ${metric}: an alarm on it would start both; route it to the runbook that answers it`);
        else routedBy.set(metric, m.name);
      }
    }
  }
  expect(problems).toEqual([]);
});

describe.each(EACH_RUNBOOK)('%s', (name, module: AnyRunbook) => {
  test('lives in runbooks/<name>/: runbook.ts exports it as default, statemachine.ts is its builder source', async () => {
    const problems: string[] = [];
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) problems.push(`${name}: a runbook's name is kebab-case (it names its folder, its state machine and its config key)`);
    for (const file of ['runbook.ts', 'statemachine.ts']) if (!exists(`runbooks/${name}/${file}`)) problems.push(`${name}: runbooks/${name}/${file} is missing`);
    if (exists(`runbooks/${name}/runbook.ts`)) {
      const own = ((await import(path.join(ROOT, 'runbooks', name, 'runbook'))) as { default?: unknown }).default;
      if (own !== module) problems.push(`${name}: the registry's module is not the default export of runbooks/${name}/runbook.ts`);
    }
    expect(problems).toEqual([]);
  });

  test('something starts it: alarms or a budget (trigger), AWS service events (events), or alarms and events; each event route has a rule that names its targets in every environment', () => {
    const problems: string[] = [];
    if (!module.trigger && !module.events) problems.push(`${name}: nothing starts it: give its module a trigger (alarm or budget) or events (AWS service events)`);
    if (module.events) {
      if (module.events.routes.length === 0) problems.push(`${name}: its events list no route: name the service event (lambdas/domain/service-events.ts) that starts it`);
      for (const { env, config } of configs()) {
        const ctx = contextOf(module, config, arnsFor(config.region));
        // A runbook a person may start by hand (its manualStart: an emergency stop) may leave its event routes unconfigured: a person starts it then.
        if (ctx.config.enabled && ctx.config.targetTags === undefined && !module.manualStart && module.events.routes.every((route) => module.events!.targetValues(ctx, route).length === 0)) {
          problems.push(`${name}: config/${env}.json enables it, but its events' targetValues() gives the rules no target to filter on`);
        }
        for (const pattern of eventRoutes(config, arnsFor(config.region)).find((r) => r.runbook === name)?.patterns ?? []) {
          try {
            assertEventPattern(pattern);
          } catch (e: unknown) {
            problems.push(`${name}: its event rule in config/${env}.json is not a pattern EventBridge takes: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('every config/<env>.json configures it (runbooks.<name>), and its schema takes each', () => {
    const problems: string[] = [];
    for (const env of ENVIRONMENTS) {
      const raw = JSON.parse(read(`config/${env}.json`)) as { runbooks?: Record<string, unknown> };
      const part = raw.runbooks?.[name];
      if (part === undefined) {
        problems.push(`${name}: config/${env}.json has no runbooks.${name} (at least {"enabled": false}, and what its schema in runbooks/${name}/runbook.ts requires)`);
        continue;
      }
      const parsed = module.config.safeParse(part);
      if (!parsed.success) problems.push(`${name}: config/${env}.json runbooks.${name} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    expect(problems).toEqual([]);
  });

  test('statemachines/<name>.asl.json is what its source builds; every Task invokes a handler it defines, and every substitution is filled', () => {
    const problems: string[] = [];
    const built = buildAll().find((b) => b.name === name);
    if (!built) problems.push(`${name}: npm run statemachines builds no machine of it`);
    else if (staleness(built) !== undefined) problems.push(`${name}: statemachines/${name}.asl.json is not what ${sourceOf(name)} builds (${staleness(built)}): run npm run statemachines`);
    const text = exists(`statemachines/${name}.asl.json`) ? read(`statemachines/${name}.asl.json`) : '';
    const used = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!));
    const invoked = new Set([...text.matchAll(/"FunctionName": "\$\{(\w+)\}"/g)].map((m) => m[1]!));
    for (const { env, config } of configs()) {
      if (!runbookConfig(config, module).enabled) continue;
      const arns = arnsFor(config.region);
      const def = buildCatalog(config, arns).find((d) => d.name === name)!;
      const shared = sharedHandlers(config, arns);
      const handlers = new Map([shared.admit, shared.notify, shared.report, ...def.handlers].map((h) => [h.substitution, h.id]));
      const filled = new Set([...handlers.keys(), ...Object.keys(def.substitutions)]);
      for (const s of invoked) if (!handlers.has(s)) problems.push(`${name}: its state machine invokes \${${s}}, which none of its handlers fills (config/${env}.json): add the handler to its module's handlers()`);
      for (const s of used) if (!invoked.has(s) && !filled.has(s)) problems.push(`${name}: its state machine uses \${${s}}, which its module does not fill (config/${env}.json): add it to stateMachine.substitutions()`);
      for (const h of def.handlers) if (!invoked.has(h.substitution)) problems.push(`${name}: handler ${h.id} fills \${${h.substitution}}, which its state machine never invokes`);
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  test('its handlers: each entry exists, exports `handler`, and loads no stack, config, module or CDK code', () => {
    const problems: string[] = [];
    const config = loadConfig('drill');
    const ctx = contextOf(module, config, arnsFor(config.region));
    for (const h of module.handlers(ctx)) {
      if (!exists(h.entry)) {
        problems.push(`${name}: handler ${h.id}'s entry ${h.entry} does not exist`);
        continue;
      }
      if (!h.entry.startsWith(`runbooks/${name}/handlers/`) && !h.entry.startsWith('lambdas/')) {
        problems.push(`${name}: handler ${h.id}'s entry ${h.entry} is neither its own (runbooks/${name}/handlers/) nor shared (lambdas/)`);
      }
      if (!exportsHandler(h.entry)) problems.push(`${name}: ${h.entry} exports no \`handler\``);
      const loaded = [...runtimeClosure(h.entry)].filter((f) => DEPLOY_TIME.some((p) => p.test(f)));
      if (loaded.length > 0) problems.push(`${name}: ${h.entry} loads ${loaded.join(', ')}, which no Lambda bundle may: a handler reads its settings from its environment`);
    }
    expect(problems).toEqual([]);
  });

  test('its gates: each has words on the approval page (GATES in its gates.ts), a policy in config, and an approval step in its state machine', async () => {
    const problems: string[] = [];
    const pages = await gatePagesOf(name);
    const steps = (module.gates ?? []).map((g) => g.step);
    const text = exists(`statemachines/${name}.asl.json`) ? read(`statemachines/${name}.asl.json`) : '';
    const drillConfig = runbookConfig(loadConfig('drill'), module);
    for (const gate of module.gates ?? []) {
      if (!pages[gate.step]) problems.push(`${name}: gate ${gate.step} has no words: export GATES['${gate.step}'] (words, and a live read if the page should show more than the target) from runbooks/${name}/gates.ts`);
      if (!gatePolicyOf(drillConfig, gate)) problems.push(`${name}: gate ${gate.step}'s policy is not at runbooks.${name}.${gate.policyAt.join('.')} in config/drill.json`);
      if (!text.includes(`"step": "${gate.step}"`)) problems.push(`${name}: gate ${gate.step} is not a step of its state machine (approvalGate(spine, { step: '${gate.step}' }))`);
    }
    for (const step of Object.keys(pages)) if (!steps.includes(step)) problems.push(`${name}: runbooks/${name}/gates.ts has words for ${step}, which is not one of its gates`);
    expect(problems).toEqual([]);
  });

  test('its reversible changes are ones the undo can put back (lambdas/domain/reversible.ts)', () => {
    const config = loadConfig('drill');
    const changes = module.undo?.(contextOf(module, config, arnsFor(config.region))) ?? [];
    const known = new Set(REVERSIBLE.map((r) => r.operation));
    expect(changes.filter((c) => !known.has(c.operation))
      .map((c) => `${name}: its undo names ${c.operation}, which lambdas/domain/reversible.ts has no inverse for: add one there, or leave it out of undo()`)).toEqual([]);
  });

  test('what the drill needs: its recorded event, samples and scenarios exist, and what each reversible change changes (an undo is compared on it)', () => {
    const problems: string[] = [];
    const config = loadConfig('drill');
    for (const change of module.undo?.(contextOf(module, config, arnsFor(config.region))) ?? []) {
      if (!module.drill.changes[change.operation]?.fields.length) {
        problems.push(`${name}: drill.changes says nothing of what ${change.operation} changes: name the resource fields it sets, so the drill can tell an undo put them back`);
      }
    }
    for (const file of [module.drill.event, ...(module.drill.samples ?? []), ...(module.drill.scenarios ?? []), ...(module.drill.undoScenario ? [module.drill.undoScenario] : [])]) {
      if (!exists(file)) problems.push(`${name}: ${file} (named in its drill) does not exist`);
    }
    // `npm run drill -- <name>` replays it, and the drill tests find it by that name (test/drill/run-drill.ts recordedEvent).
    if (!new RegExp(`^events/${name}\\.(alarm|sns|event)\\.json$`).test(module.drill.event)) problems.push(`${name}: its recorded event ${module.drill.event} is not events/<name>.alarm.json, .sns.json or .event.json`);
    expect(problems).toEqual([]);
  });
});
