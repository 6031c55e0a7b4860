import fc from 'fast-check';
import { CapacityModeRule } from '../../drill/capacity-mode-rule';
import type { DrillResult } from '../../drill/result';
import type { ActionRecord } from '../../lambdas/shared/ledger';
import { deliveryOf, lastNotice, useDrillSandbox, withoutRails } from '../drill/drill-harness';
import {
  applyHuman, captureSeed, eventOf, extraCalls, faultOf, ledgerDisagreements, modelOf, readAccount, resetAccount, resourceOf, sequenceArbitrary,
  startsOf, valueAt, type Aspect, type RunbookName, type Seed, type Step,
} from './support/truth';
import { sameValue } from '../../lambdas/domain/undo-plan';

/**
 * The ledger says what really changed, for every runbook, whatever happens: random sequences of
 * deliveries (the same alarm again, re-fired, new transitions), undos (once, twice), a person's
 * changes between steps, and faults of every kind (lost answers included, 1 to 20 in a row) on
 * every call. After each step:
 * - every row's `after` agrees with the account (an `unknown` row claims nothing);
 * - at most one call takes effect per row (or per person's change that undid one);
 * - an undo that reports undone left every resource it touched as it was before the incident, and
 *   one that escalates names a resource of the incident;
 * - a run that reports remediated on a target not in its remediated state made the call itself:
 *   the replay of an old row never stands in for it.
 * One drill sandbox for the file (the real ASL and handlers); each sequence starts from the seed
 * account with incidents of its own. The SDK makes one attempt per call (AWS_MAX_ATTEMPTS=1), so a
 * fault reaches the handler at once and every retry is the state machine's.
 */

const RUNS_PER_RUNBOOK = 10;
const MAX_STEPS = 5;
let day = 0;
const harness = useDrillSandbox(() => {
  process.env.AWS_MAX_ATTEMPTS = '1';
  // Each sequence is a day apart for DynamoDB's limit on switches to on-demand.
  return { config: withoutRails(), capacityModeRule: new CapacityModeRule(() => day * 86_400_000), time: { waitMs: 1, retryMs: 1 } };
});
let seed: Seed;
let sequence = 0;
beforeAll(() => {
  seed = captureSeed(harness.drill);
});


/** Runs one sequence and checks it after every step; returns what broke (empty when nothing did). */
async function runSequence(runbook: RunbookName, steps: readonly Step[]): Promise<string[]> {
  const drill = harness.drill;
  day += 1;
  sequence += 1;
  await resetAccount(drill, seed);
  const model = modelOf(runbook);
  const humanAt = new Map<Aspect, number>();
  const humanChanges = new Map<Aspect, number>();
  const incidents = new Map<number, string>();
  const start = drill.mutationMark();
  const broken: string[] = [];
  const rowsOf = async (): Promise<ActionRecord[]> => (await Promise.all([...incidents.values()].map((id) => drill.ledger.listActions(id)))).flat();

  for (const [index, step] of steps.entries()) {
    const at = `step ${index + 1} (${JSON.stringify(step)})`;
    const before = await readAccount(drill);
    if (step.kind === 'human') {
      for (const aspect of await applyHuman(drill, step.change)) {
        humanAt.set(aspect, Date.now());
        humanChanges.set(aspect, (humanChanges.get(aspect) ?? 0) + 1);
      }
      continue;
    }
    for (const f of step.faults) drill.injectFault(faultOf(f));
    const transition = sequence * 10 + step.transition;
    const mark = drill.mutationMark();
    if (step.kind === 'deliver') {
      const r: DrillResult = await drill.handle(deliveryOf(eventOf(runbook), transition));
      if (r.incidentId) incidents.set(step.transition, r.incidentId);
      // The act step done on a target not in its remediated state: its call was made now, not a replay.
      const acted = r.timeline.some((t) => t.state === model.actState && t.event === 'done' && t.detail.startsWith(model.actOperation));
      const made = drill.mutationsReceived(mark).filter((m) => m.applied);
      if (model.remediated && model.remediates && acted && !model.remediated(before) && !made.some(model.remediates)) {
        broken.push(`${at}: ${model.actState} done on a target not in its remediated state, without its call (${r.reason})`);
      }
    } else {
      const incidentId = incidents.get(step.transition);
      if (!incidentId) continue;
      const undo = await drill.undo(incidentId);
      const notice = lastNotice(undo) as { outcome?: string; reason?: string } | undefined;
      const after = await readAccount(drill);
      const starts = startsOf(await drill.ledger.listActions(incidentId));
      if (notice?.outcome === 'remediated') {
        for (const [aspect, initial] of starts) {
          // A person's change to the resource is theirs to keep: the undo may leave it (and says so).
          if (humanAt.has(aspect)) continue;
          if (!sameValue(valueAt(after, aspect), initial)) {
            broken.push(`${at}: the undo reported undone, but ${aspect} holds ${JSON.stringify(valueAt(after, aspect))}, not ${JSON.stringify(initial)} (${notice.reason})`);
          }
        }
      }
      if (notice?.outcome === 'escalated' && ![...starts.keys()].some((a) => notice.reason?.includes(resourceOf(a)))) {
        broken.push(`${at}: the undo escalated without naming a resource it touched (${notice.reason})`);
      }
    }
    const rows = await rowsOf();
    const account = await readAccount(drill);
    broken.push(...ledgerDisagreements(rows, account, humanAt).map((d) => `${at}: ${d}`));
    broken.push(...extraCalls(rows, drill.mutationsReceived(start), humanChanges).map((d) => `${at}: ${d}`));
    for (const row of rows) if (row.status === 'intent') broken.push(`${at}: ${row.actionKey} left at intent with no ledger fault`);
  }
  return broken;
}

const RUNBOOKS: readonly RunbookName[] = ['lambda-runaway', 'dynamodb-throttling', 'ecs-service-recovery', 'llm-budget-guardrail'];

test.each(RUNBOOKS)('%s: the ledger agrees with the account, one call per row, undo returns to the start or says what differs, a re-fired alarm acts', async (runbook) => {
  await fc.assert(
    fc.asyncProperty(sequenceArbitrary(runbook, MAX_STEPS, { undo: true }), async (steps) => {
      expect(await runSequence(runbook, steps)).toEqual([]);
    }),
    { numRuns: RUNS_PER_RUNBOOK },
  );
});

test('a sequence that is known to break the old mechanism: a lost stop answer, a refusal, an undo, the alarm again', async () => {
  const steps: Step[] = [
    { kind: 'deliver', transition: 0, faults: [{ call: 'lambda:PutFunctionConcurrency', kind: 'applied-timeout', times: 20 }, { call: 'cloudwatch:DescribeAlarms', kind: 'access-denied', times: 1 }] },
    { kind: 'undo', transition: 0, faults: [] },
    { kind: 'human', change: { kind: 'concurrency', value: 12 } },
    { kind: 'deliver', transition: 0, faults: [] },
    { kind: 'undo', transition: 0, faults: [] },
  ];
  expect(await runSequence('lambda-runaway', steps)).toEqual([]);
});
