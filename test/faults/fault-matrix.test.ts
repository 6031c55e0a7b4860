/**
 * Fault injection at every AWS call of every runbook: throttling, access denied, not found, 5xx
 * and timeouts, for good (the call never succeeds: access denied, not found and one of the retried
 * kinds, which share that path; plan.ts) and in bursts (each retried kind fails the call a few
 * times, then it works). Each drill runs the real state machines and handlers against a new sandbox account,
 * as `npm run drill -- ... --fault ... --json` does, in the test run's drill processes
 * (test/support/drills.ts).
 *
 * Whatever fails, a run must end in a defined state with a consistent ledger (support.ts):
 * - a burst of a retried kind ends remediated (a runbook that only pages: paged), every change made once and audited first;
 * - a call that never succeeds ends as expectedPersistent() says: a step failing after its
 *   retries fails the execution at that state, escalated to the critical topic by the
 *   execution-failure rule (unless the failing call is the notification itself); a missing target
 *   is escalated by the runbook.
 */
import * as fs from 'node:fs';
import type { DrillResult } from '../../drill/result';
import { duplicateOf } from '../drill/events';
import { runDrill, type DrillRun } from '../drill/run-drill';
import { startEarly, type StartedEarly } from '../../lambdas/shared/started-early';
import {
  bestEffort, BURST, burstOf, CALLS, cleanEnd, reportsUnavailable, cellsOf, expectedPersistent, FAILS_AT, faultArgs, KINDS, LEDGER_CALLS, makesLedgerCall, notFoundIsAnswer, otherPartsChanges, PERSISTENT,
  PERSISTENT_GROUPS, PERSISTENT_PASSES, persistentKind, REPORT_CALLS, RETRIED_KINDS, RUNBOOKS, STATE_OF, type Kind,
} from './plan';
import { brokenInvariants, resultOf, summary } from './support';
import { METRIC } from '../../lambdas/domain/metrics';

interface PlannedRun {
  readonly id: string;
  readonly args: readonly string[];
}

const persistentRuns = PERSISTENT_PASSES.flatMap((pass) => PERSISTENT_GROUPS.map((group) => ({
  group, cells: cellsOf(group).map((c) => ({ ...c, kind: persistentKind(pass, c.call) })),
  id: `persistent ${pass}: ${group.join(' + ')}`,
  args: [...cellsOf(group).map((c) => c.runbook), ...group.flatMap((call) => ['--fault', `${call}=${persistentKind(pass, call)}x${PERSISTENT}`]), '--json'],
})));

const burstRuns = RETRIED_KINDS.flatMap((kind) => RUNBOOKS.map((runbook) => ({
  kind, runbook,
  id: `burst ${kind}: ${runbook}`,
  args: [runbook, ...faultArgs(CALLS[runbook], kind, burstOf), '--json'],
})));

/** The ledger failing for good, under every runbook at once (one shared ledger, one fault per run). */
const ledgerRuns = PERSISTENT_PASSES.flatMap((pass) => LEDGER_CALLS.map((call) => ({
  kind: persistentKind(pass, call), call,
  id: `ledger ${persistentKind(pass, call)}: ${call}`,
  args: [...RUNBOOKS, '--fault', `${call}=${persistentKind(pass, call)}x${PERSISTENT}`, '--json'],
})));

/** A ledger burst past the SDK's attempts: the other AWS calls' bursts are retried by the state machines. */
const ledgerBurstRuns = LEDGER_CALLS.map((call) => ({
  kind: 'throttling' as const, call,
  id: `ledger burst: ${call}`,
  args: ['lambda-runaway', '--fault', `${call}=throttlingx${BURST}`, '--json'],
}));

/** Admit fails after claiming the incident (its parameters' read denied), then the transition is delivered again. */
const rerunAfterAdmitFailure: PlannedRun = {
  id: 'rerun after admit failed',
  args: ['--event', 'events/lambda-runaway.alarm.json', '--event', duplicateOf('events/lambda-runaway.alarm.json'), '--fault', 'ssm:GetParameters=access-deniedx1', '--json'],
};

/** In the order the tests read them, so the first tests' runs finish first. */
const schedule: readonly PlannedRun[] = [...persistentRuns, ...burstRuns, ...ledgerRuns, ...ledgerBurstRuns, rerunAfterAdmitFailure];

const runs = new Map<string, StartedEarly<DrillRun>>();
const matrix = new Map<string, string>();

beforeAll(() => {
  // Started together, each awaited by the test of its cell.
  for (const run of schedule) runs.set(run.id, startEarly(runDrill(run.args)));
});

afterAll(() => {
  // FAULT_MATRIX_OUT=file writes what every cell ended as, one line each.
  const out = process.env.FAULT_MATRIX_OUT;
  if (out) fs.writeFileSync(out, [...matrix].map(([cell, end]) => `${cell}\t${end}`).sort().join('\n') + '\n');
});

async function finished(id: string): Promise<DrillRun> {
  const started = runs.get(id);
  if (!started) throw new Error(`no run ${id}`);
  const run = await started.result();
  // Exit 0 whatever the outcome: a fault is never a crash of the drill.
  expect({ exit: run.code, stderr: run.stderr.trim().split('\n').slice(0, 3) }).toEqual({ exit: 0, stderr: expect.anything() });
  return run;
}

test('every call of every runbook and of the ledger fails with every kind: for good with access denied, not found and a retried kind, in bursts with each retried kind', () => {
  const failed = new Set<string>();
  for (const run of persistentRuns) for (const c of run.cells) failed.add(`${c.runbook} ${c.call} ${c.kind}`);
  for (const run of burstRuns) for (const call of CALLS[run.runbook]) failed.add(`${run.runbook} ${call} ${run.kind}`);
  const missing = RUNBOOKS.flatMap((runbook) => CALLS[runbook].flatMap((call) => KINDS.map((kind) => `${runbook} ${call} ${kind}`))).filter((cell) => !failed.has(cell));
  expect(missing).toEqual([]);
  const forGood = new Map<string, Set<Kind>>();
  for (const run of persistentRuns) for (const c of run.cells) forGood.set(`${c.runbook} ${c.call}`, (forGood.get(`${c.runbook} ${c.call}`) ?? new Set()).add(c.kind));
  for (const kinds of forGood.values()) expect([...kinds].filter((k) => !(RETRIED_KINDS as readonly Kind[]).includes(k)).sort()).toEqual(['access-denied', 'not-found']);
  expect(forGood.size).toBe(RUNBOOKS.reduce((n, r) => n + CALLS[r].length, 0));
  // Each retried kind fails some runbook call and some ledger call for good.
  expect(new Set(persistentRuns.flatMap((run) => run.cells.map((c) => c.kind)))).toEqual(new Set(KINDS));
  expect(new Set(ledgerRuns.map((run) => run.kind))).toEqual(new Set(KINDS));
});

const lastTopic = (r: DrillResult) => r.notifications[r.notifications.length - 1]?.topic ?? null;

describe('a call that never succeeds ends in a defined state, escalated, with the ledger consistent', () => {
  for (const run of persistentRuns) {
    for (const { runbook, call, kind } of run.cells) {
      const expected = expectedPersistent(runbook, call, kind);
      test(`${runbook}: ${call}=${kind}x${PERSISTENT} -> ${expected.outcome} (${expected.topic ?? 'no'} notification${expected.viaRule ? ' through the execution-failure rule' : ''})`, async () => {
        const r = resultOf(await finished(run.id), runbook);
        matrix.set(`${runbook}\t${call}\t${kind}\tpersistent`, summary(r));
        expect(brokenInvariants(r)).toEqual([]);
        expect({ outcome: r.outcome, topic: lastTopic(r) }).toEqual({ outcome: expected.outcome, topic: expected.topic });
        if (expected.topic === 'critical') {
          expect(r.notifications[r.notifications.length - 1]).toEqual({ outcome: expected.outcome, topic: 'critical', ...(expected.viaRule ? { via: 'rule' } : {}) });
        }
        if (expected.topic === null) expect(r.notifications).toEqual([]);
        const state = STATE_OF[runbook][call];
        if (REPORT_CALLS.has(call)) {
          // After the last notification: the incident ends as a clean run does; its report is counted as not written, once.
          expect(r.runs).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
          expect(r.report).toEqual({ written: false, key: null, reason: expect.any(String) });
          expect(r.metrics.filter((m) => m.name === METRIC.reportsNotWritten)).toEqual([expect.objectContaining({ value: 1, executionArn: r.executionArn })]);
          const events = r.timeline.filter((t) => t.state === state).map((t) => t.event);
          const retried = (RETRIED_KINDS as readonly Kind[]).includes(kind);
          expect({ retried: events.includes('retried'), caught: events.includes('caught') }).toEqual({ retried, caught: true });
          return;
        }
        if (bestEffort(runbook, call)) {
          // A read for the notification only: the change stands, and the notification says what could not be read.
          expect(r.actions.every((a) => a.status === 'succeeded')).toBe(true);
          if (reportsUnavailable(runbook, call, kind)) expect(r.reason).toContain('evidence unavailable');
          // Retried kinds fail the step (retried, then caught); the others are reported by the step itself.
          const events = r.timeline.filter((t) => t.state === state).map((t) => t.event);
          const retried = (RETRIED_KINDS as readonly Kind[]).includes(kind);
          expect({ retried: events.includes('retried'), caught: events.includes('caught') }).toEqual({ retried, caught: retried });
          return;
        }
        if (kind === 'not-found' && notFoundIsAnswer(call)) {
          // A not-found that is an answer (notFound: nothing): the run read on and ended as a clean one.
          expect(r.runs).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
          return;
        }
        // An independent part's call stops that part only: the other parts' changes are made all the same.
        const applied = new Set(r.runs.flatMap((x) => x.calls.filter((c) => c.applied).map((c) => c.operation)));
        expect(otherPartsChanges(runbook, call).filter((c) => !applied.has(c))).toEqual([]);
        // The failing call stopped the runbook before it finished: nothing was remediated (nor paged, by one that
        // only pages, except by the catcher of a target that is gone, which the state's timeline shows below).
        if (!(kind === 'not-found' && expected.outcome === cleanEnd(runbook).outcome)) expect(r.notifications.map((n) => n.outcome)).not.toContain(cleanEnd(runbook).outcome);
        // The state making the call failed for good there (retried first only when a retry can help): the
        // execution fails at that state (a redrive starts there), or the state's catcher decides the ending.
        if (state && expected.outcome !== 'skipped') {
          const events = r.timeline.filter((t) => t.state === state).map((t) => t.event);
          const failsAt = FAILS_AT[runbook]?.[call] ?? state;
          if (expected.failsAtState) {
            expect(events).toContain(failsAt === state ? 'failed' : 'caught');
            if (failsAt === state) expect(events).not.toContain('caught');
            expect(r.runs).toEqual([expect.objectContaining({ status: 'FAILED', failedAt: failsAt })]);
          } else {
            expect(events).toContain('caught');
            expect(r.runs).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
          }
          if ((RETRIED_KINDS as readonly Kind[]).includes(kind)) expect(events).toContain('retried');
          else expect(events).not.toContain('retried');
        }
      });
    }
  }
});

describe('a burst of throttling, 5xx or timeouts at every call is retried, and the runbook remediates (or pages, one that only pages)', () => {
  for (const run of burstRuns) {
    const calls = CALLS[run.runbook];
    const clean = cleanEnd(run.runbook);
    test(`${run.runbook}: ${calls.map((c) => `${c}=${run.kind}x${burstOf(c, run.kind)}`).join(', ')} -> ${clean.outcome}`, async () => {
      const r = resultOf(await finished(run.id), run.runbook);
      for (const call of calls) matrix.set(`${run.runbook}\t${call}\t${run.kind}\tburst`, summary(r));
      expect(brokenInvariants(r)).toEqual([]);
      expect(r.outcome).toBe(clean.outcome);
      expect(r.notifications.length).toBeGreaterThan(0);
      expect(r.notifications.every((n) => n.outcome === clean.outcome && n.topic === clean.topic)).toBe(true);
      // One that only pages changes nothing: no action to make.
      if (clean.outcome === 'remediated') expect(r.actions.length).toBeGreaterThan(0);
      else expect(r.actions).toEqual([]);
      for (const a of r.actions) expect(a).toMatchObject({ status: 'succeeded', auditedBeforeCall: true });
      // The report write was failed too, and retried to success.
      expect(r.report).toMatchObject({ written: true });
      // Each call failed past the SDK's attempts, so the state that makes it was retried by the state machine.
      const retried = new Set(r.timeline.filter((t) => t.event === 'retried').map((t) => t.state));
      const states = new Set(calls.flatMap((c) => STATE_OF[run.runbook][c] ?? []));
      expect([...states].filter((s) => !retried.has(s))).toEqual([]);
    });
  }
});

describe('the ledger failing for good: the run still ends in a defined state, and nothing changes unrecorded', () => {
  for (const run of ledgerRuns) {
    for (const runbook of RUNBOOKS) {
      const makes = makesLedgerCall(runbook, run.call);
      test(`${runbook}: ${run.call}=${run.kind}x${PERSISTENT} -> ${makes ? 'failed' : 'as a clean run (its run makes no such call)'}`, async () => {
        const r = resultOf(await finished(run.id), runbook);
        matrix.set(`${runbook}\t${run.call}\t${run.kind}\tpersistent`, summary(r));
        expect(brokenInvariants(r)).toEqual([]);
        if (!makes) {
          const clean = cleanEnd(runbook);
          expect(r.outcome).toBe(clean.outcome);
          expect(r.notifications).toContainEqual(expect.objectContaining({ outcome: clean.outcome, topic: clean.topic }));
          return;
        }
        expect(r.outcome).toBe('failed');
        // The critical topic when notify could still publish, the failure last; nothing when notify itself needs the
        // failing call. A runbook whose every run escalates (page-on-call) may have paged before it met the call.
        const before = cleanEnd(runbook).outcome === 'escalated' ? ['failed', 'escalated'] : ['failed'];
        expect(r.notifications.every((n) => before.includes(n.outcome) && n.topic === 'critical')).toBe(true);
        if (r.notifications.length > 0) expect(r.notifications.at(-1)?.outcome).toBe('failed');
      });
    }
  }
});

describe('ledger bursts and admit failures', () => {
  for (const run of ledgerBurstRuns) {
    // Ledger errors are classified like any AWS error (AwsThrottled), so the state machine retries them.
    test(`a ledger burst (${run.call}=throttlingx${BURST}) is retried like any other AWS throttling, and lambda-runaway remediates`, async () => {
      const r = resultOf(await finished(run.id), 'lambda-runaway');
      matrix.set(`lambda-runaway\t${run.call}\tthrottling\tburst`, summary(r));
      expect(brokenInvariants(r)).toEqual([]);
      expect(r.outcome).toBe('remediated');
    });
  }

  // Admit claims the incident before it reads the switches; when it then fails it leaves the
  // incident failed, so a new execution for the same transition takes it over.
  test('after admit fails past its claim, the same alarm transition delivered again is acted on', async () => {
    const run = await finished(rerunAfterAdmitFailure.id);
    expect(run.results.map((r) => r.outcome)).toEqual(['failed', 'remediated']);
  });
});
