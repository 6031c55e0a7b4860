/**
 * npm run bench: every figure the README's performance section quotes, as tables a person reads,
 * then one JSON line (the last line) with storm, bundles, coldInit (and coldInitSdkFloor, the SDK
 * modules most handlers import at init, timed alone), firstActionMs, overhead and transitions.
 * Figures are printed, never asserted (the machines are shared and noisy: medians).
 */
import * as os from 'node:os';
import { bundleAll, commonInitSdk, type Bundle, type SdkVariant } from './bundles';
import { coldInit, importColdMs, type ColdInit } from './cold-init';
import { drillFigures, type RunbookFigures } from './drill-figures';
import { benchHandlers } from './handlers';
import { POOL, runStorm, type StormFigures } from './storm';

// A fresh process per sample (about 0.1 s of Node.js start each, not counted): the cold starts are
// most of the bench's time. The deferred SDK modules' load, as long as the init, is timed in 3.
const COLD_SAMPLES: Record<SdkVariant, number> = { 'runtime-sdk': 4, 'bundled-sdk': 3 };
const DEFERRED_SAMPLES = 3;
/** The SDK modules most handlers import at init, imported alone: a second or so in all. */
const FLOOR_SAMPLES = 4;
const DRILL_SAMPLES = 3;
/**
 * The SDK question (each handler's clients bundled, or the runtime's) was decided with these
 * figures: the deployed way is measured every run, the other with --bundled-sdk (its build and cold
 * starts took about two and a half minutes here, most of the bench).
 */
const VARIANTS: readonly SdkVariant[] = process.argv.includes('--bundled-sdk') ? ['runtime-sdk', 'bundled-sdk'] : ['runtime-sdk'];
const WITH_BUNDLED = VARIANTS.includes('bundled-sdk');

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const pad = (cells: readonly (string | number)[], widths: readonly number[]) =>
  cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');

function table(title: string, header: readonly string[], rows: readonly (readonly (string | number)[])[], notes: readonly string[] = []): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  console.log(`\n${title}`);
  console.log(pad(header, widths));
  for (const r of rows) console.log(pad(r, widths));
  for (const n of notes) console.log(`  ${n}`);
}

function printStorm(s: StormFigures): void {
  type Scenario = StormFigures['duplicate'];
  const row = (name: string, f: Scenario) => [
    name, f.events, f.actions, f.eventsPerSecond, f.ledgerPutsPerSecond, f.ratio.toFixed(2), f.callsPerEvent.toFixed(3), f.admitP50Ms, f.admitP99Ms,
  ];
  const whole = (name: string, f: Scenario) => [name, f.events, f.actions, f.withStops.eventsPerSecond, f.ledgerPutsPerSecond, f.withStops.ratio.toFixed(2), f.withStops.callsPerEvent.toFixed(3), '', ''];
  const ops = (calls: Readonly<Record<string, number>>) => Object.entries(calls).map(([op, n]) => `${op} ${n}`).join(', ');
  const calls = (f: Scenario) => `${ops(f.ledgerCalls)}, SSM GetParameters ${f.ssmCalls}; the stops: ${ops(f.withStops.stopLedgerCalls)}`;
  const cpu = (f: Scenario) => `${f.cpuMsPerEvent.bench} ms bench + ${f.cpuMsPerEvent.ledger} ms ledger per event; a raw put ${f.rawCpuMsPerPut.bench} + ${f.rawCpuMsPerPut.ledger} ms`;
  table(
    `Admission storm: every event through admit, then the admitted incidents' emergency stops; ${POOL} in flight; ledger = dynalite in its own process`,
    ['scenario', 'events', 'actions', 'events/s', 'ledger puts/s', 'ratio', 'calls/event', 'admit p50 ms', 'p99 ms'],
    [
      row('duplicate', s.duplicate), row('spread', s.spread),
      ['both', s.duplicate.events + s.spread.events, s.duplicate.actions + s.spread.actions, s.eventsPerSecond, s.ledgerPutsPerSecond, s.ratio.toFixed(2), '', s.admitP50Ms, s.admitP99Ms],
      whole('duplicate + stop', s.duplicate), whole('spread + stops', s.spread),
      ['both + stops', s.duplicate.events + s.spread.events, s.duplicate.actions + s.spread.actions, s.withStopsEventsPerSecond, s.ledgerPutsPerSecond, s.withStopsRatio.toFixed(2), '', '', ''],
    ],
    [
      `ledger puts/s: plain conditional PutItems on the same dynalite, same pool (1 key; 100 keys), before and after the scenario`,
      `spread: the median of ${s.spread.roundRatios.length} rounds, each 1,000 events on 100 fresh targets between its own raw puts (ratios ${s.spread.roundRatios.map((r) => r.toFixed(2)).join(', ')})`,
      `events/s: admission alone (every event through admit); "+ stops": admission and then the admitted incidents' emergency stops, timed together`,
      `calls, duplicate: ${calls(s.duplicate)}`,
      `calls, spread:    ${calls(s.spread)}`,
      `CPU, duplicate: ${cpu(s.duplicate)}`,
      `CPU, spread:    ${cpu(s.spread)}`,
      // What the calls alone allow: each ledger call costs about what one raw put does, so the ratio cannot pass 1 / (calls per event).
      `ceiling from the calls alone (1 / calls per event): duplicate ${(1 / s.duplicate.callsPerEvent).toFixed(2)}, spread ${(1 / s.spread.callsPerEvent).toFixed(2)}`,
    ],
  );
}

interface HandlerRow { entry: string; bundles: Partial<Record<SdkVariant, Bundle>> & { 'runtime-sdk': Bundle }; cold: Partial<Record<SdkVariant, ColdInit>> & { 'runtime-sdk': ColdInit } }

/** The SDK modules imported at init by most handlers (the ledger's), how many import them, and their import alone. */
interface InitSdkFloor { readonly modules: readonly string[]; readonly handlers: number; readonly initMs: number }

function printBundles(rows: readonly HandlerRow[], floor: InitSdkFloor): void {
  table(
    'Handler bundles (minified ESM as deployed: the runtime\'s AWS SDK) and cold init (fresh Node.js process: module load + one call with an empty payload, median)',
    ['handler', 'KB', 'init ms', 'load ms', 'init SDK', 'first-use SDK ms', 'top modules (KB)', ...(WITH_BUNDLED ? ['SDK bundled: KB', 'init ms'] : [])],
    rows.map((r) => [
      r.entry, kb(r.bundles['runtime-sdk'].bytes), r.cold['runtime-sdk'].initMs, r.cold['runtime-sdk'].loadMs, r.bundles['runtime-sdk'].initSdk.length || '-',
      r.bundles['runtime-sdk'].deferredSdk.length ? `${r.cold['runtime-sdk'].deferredMs} (${r.bundles['runtime-sdk'].deferredSdk.length})` : '-',
      r.bundles['runtime-sdk'].top.map((t) => `${t.module} ${kb(t.bytes)}`).join(', '),
      ...(r.bundles['bundled-sdk'] && r.cold['bundled-sdk'] ? [kb(r.bundles['bundled-sdk'].bytes), r.cold['bundled-sdk'].initMs] : []),
    ]),
    [
      WITH_BUNDLED
        ? `${COLD_SAMPLES['runtime-sdk']} samples (deployed bundles; first-use SDK: ${DEFERRED_SAMPLES}), ${COLD_SAMPLES['bundled-sdk']} (bundled SDK); the first call is rejected by input validation, before any AWS call`
        : `${COLD_SAMPLES['runtime-sdk']} samples (first-use SDK: ${DEFERRED_SAMPLES}); the first call is rejected by input validation, before any AWS call; npm run bench -- --bundled-sdk adds each handler with its SDK clients bundled, as weighed for the SDK question`,
      'first-use SDK: the SDK client modules (how many) a handler loads at its first call of that service, not at init, all loaded after the call in the same process: the most a first invocation adds (one that calls fewer services adds less)',
      floor.handlers === 0
        ? 'init SDK: the SDK modules a handler imports at init (how many); none does'
        : `init SDK: the SDK modules a handler imports at init (how many). ${floor.handlers} handlers import ${floor.modules.join(', ')}; imported alone in a fresh process they take ${floor.initMs} ms (median of ${FLOOR_SAMPLES}): the floor under those handlers' init`,
    ],
  );
}

function printDrill(figures: readonly RunbookFigures[]): void {
  table(
    `The drill, per runbook's recorded event (median of ${DRILL_SAMPLES} fresh drills)`,
    ['runbook', 'outcome', 'first action ms', 'call', 'overhead ms', 'handlers', 'interpreter', 'transitions', '$/incident', 'duplicate: executions', 'transitions'],
    figures.map((f) => [
      // A runbook that only reads and pages makes no mitigating call.
      f.runbook, f.outcome, Number.isNaN(f.firstActionMs) ? '-' : f.firstActionMs, f.firstActionCall, f.overheadMs, f.handlersMs, f.interpreterMs, f.transitions,
      f.usdPerIncident.toFixed(6), f.duplicate.executions, f.duplicate.transitions,
    ]),
    [
      'first action: from the execution\'s start to the first mitigating call reaching the sandbox (the drill\'s own snapshot and ASL parsing before it left out)',
      'overhead: the executions\' time less the simulated waits (Wait states, Retry pauses, a gated step waiting for people); handlers = their invocations, interpreter = the rest',
      `transitions: states entered + retries (Standard workflow, $0.025 per 1,000); transitions while an approval waited: ${figures.map((f) => `${f.runbook} ${f.approvalWaitTransitions ?? '-'}`).join(', ')}`,
    ],
  );
}

async function main(): Promise<number> {
  const started = Date.now();
  const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`runbook-autopilot bench: ${os.cpus().length} CPUs, load average ${load()}, Node.js ${process.version}; on a shared machine figures move with the load: medians`);

  // Where the run's time goes, printed with its total: the bench is meant to stay under three minutes.
  const phases: [string, number][] = [];
  const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const at = Date.now();
    try {
      return await run();
    } finally {
      phases.push([name, Date.now() - at]);
    }
  };

  const storm = await timed('storm', runStorm);
  printStorm(storm);

  const handlers = benchHandlers();
  const built = await timed('bundles', async () =>
    Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await bundleAll(handlers, v)] as const))) as Record<SdkVariant, Bundle[]>);
  const rows = await timed('cold init', async () => {
    const out: HandlerRow[] = [];
    for (const [i, handler] of handlers.entries()) {
      const bundles = {} as HandlerRow['bundles'];
      const cold = {} as HandlerRow['cold'];
      for (const variant of VARIANTS) {
        bundles[variant] = built[variant][i]!;
        cold[variant] = await coldInit(bundles[variant], handler, COLD_SAMPLES[variant], DEFERRED_SAMPLES);
      }
      out.push({ entry: handler.entry, bundles, cold });
    }
    return out;
  });
  const common = commonInitSdk(rows.map((r) => r.bundles['runtime-sdk']));
  const floor: InitSdkFloor = { ...common, initMs: common.handlers === 0 ? 0 : await timed('init SDK floor', () => importColdMs(common.modules, FLOOR_SAMPLES)) };
  printBundles(rows, floor);

  const drill = await timed('drill', () => drillFigures(DRILL_SAMPLES));
  printDrill(drill);

  const problems = [...storm.problems];
  for (const p of problems) console.log(`UNEXPECTED ${p}`);
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  console.log(`\n(${seconds(Date.now() - started)}: ${phases.map(([name, ms]) => `${name} ${seconds(ms)}`).join(', ')}; load average now ${load()})`);
  const { problems: _p, ...stormFigures } = storm;
  console.log(JSON.stringify({
    storm: stormFigures,
    bundles: Object.fromEntries(rows.map((r) => [r.entry, {
      bytes: r.bundles['runtime-sdk'].bytes, top: r.bundles['runtime-sdk'].top, ...(r.bundles['bundled-sdk'] ? { bundledSdkBytes: r.bundles['bundled-sdk'].bytes } : {}),
    }])),
    coldInit: Object.fromEntries(rows.map((r) => [r.entry, { ...r.cold['runtime-sdk'], ...(r.cold['bundled-sdk'] ? { bundledSdkInitMs: r.cold['bundled-sdk'].initMs } : {}) }])),
    coldInitSdkFloor: floor,
    firstActionMs: Object.fromEntries(drill.map((f) => [f.runbook, f.firstActionMs])),
    overhead: Object.fromEntries(drill.map((f) => [f.runbook, { totalMs: f.overheadMs, handlersMs: f.handlersMs, interpreterMs: f.interpreterMs }])),
    transitions: Object.fromEntries(drill.map((f) => [f.runbook, {
      perIncident: f.transitions, usdPerIncident: f.usdPerIncident, executions: f.executions,
      duplicate: f.duplicate, approvalWait: f.approvalWaitTransitions,
    }])),
  }));
  return problems.length > 0 ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (e: unknown) => { console.error(e); process.exitCode = 1; },
);
