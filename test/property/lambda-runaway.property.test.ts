import fc from 'fast-check';
import type { SandboxCall } from '../../drill/sandbox';
import {
  CONFIGURED, deliver, execute, executionArn, FUNCTIONS, isAlarmOnConfigured, openRun, PUT_OPERATION, startHarness,
  STOP_MAX_INVOCATIONS, streamArbitrary, type ExecutionRecord, type Harness, type LedgerScan, type Run, type Stream,
} from './support/runaway';

// Hundreds of runs of real handlers against a local ledger: a loaded machine takes minutes, not the default minute.
jest.setTimeout(300_000);

/**
 * Properties of the lambda-runaway runbook over generated alarm event streams: duplicates of a
 * transition under new EventBridge ids, OK/ALARM transitions out of order, flapping alarms, several
 * targets, deliveries run concurrently in random groups, the stop step run again for the same
 * execution, and injected Lambda throttling and 5xx. The real admit, stop and notify handlers run
 * against the drill sandbox and a real local DynamoDB ledger (a fresh table per run).
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const NUM_RUNS = 40;

// ---------------------------------------------------------------------------------------------
// What a stream did.

interface Outcome {
  readonly stream: Stream;
  readonly records: readonly ExecutionRecord[];
  readonly ledger: LedgerScan;
}

const putsOn = (run: Run, target: string): SandboxCall[] => run.puts().filter((c) => c.input.FunctionName === target);
const effective = (calls: SandboxCall[]) => calls.filter((c) => c.error === undefined);

/** Incident ids that an execution admitted, per target. */
function admittedByTarget(records: readonly ExecutionRecord[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>(FUNCTIONS.map((f) => [f, new Set<string>()]));
  for (const r of records) if (r.decision === 'admit' && r.incident) out.get(r.incident.target)?.add(r.incident.id);
  return out;
}

/**
 * The row of an incident's stop that says how it ended: the newest of its key. An older one is a
 * refused call whose target was found stopped since, recorded by the newer row with no call.
 */
const newestRow = (ledger: LedgerScan, incidentId: string | undefined) =>
  ledger.actions.filter((a) => a.incidentId === incidentId).sort((a, b) => (b.generation ?? 1) - (a.generation ?? 1))[0];

const alarmedConfigured = (records: readonly ExecutionRecord[], target: string) =>
  records.some((r) => isAlarmOnConfigured(r.transition) && r.transition.alarm.target === target);

// ---------------------------------------------------------------------------------------------
// Checks shared by the properties.

/** One alarm transition is one incident: same transition, same id; different transitions, different ids; OK makes none. */
function checkIncidentIdentity({ records }: Outcome): void {
  const idByTransition = new Map<string, string>();
  const transitionById = new Map<string, string>();
  for (const r of records) {
    if (r.transition.state === 'OK') {
      expect(r.decision).toBe('reject');
      expect(r.incident).toBeNull();
      continue;
    }
    expect(r.incident).not.toBeNull();
    const id = r.incident?.id as string;
    expect(idByTransition.get(r.transition.key) ?? id).toBe(id);
    expect(transitionById.get(id) ?? r.transition.key).toBe(r.transition.key);
    idByTransition.set(r.transition.key, id);
    transitionById.set(id, r.transition.key);
    expect(r.incident).toMatchObject({ target: r.transition.alarm.target, firedAt: r.transition.timestamp });
  }
}

/**
 * Audit before act: every PutFunctionConcurrency found, at the moment it reached the sandbox, an
 * intent row for that operation and target, held by an incident admitted for that target (with a
 * per-target cooldown: exactly the one incident admitted for it).
 */
function checkAuditedBeforeCall(run: Run, { records }: Outcome, options: { oneIncidentPerTarget: boolean }): void {
  const admitted = admittedByTarget(records);
  expect(run.audited).toHaveLength(run.puts().length);
  for (const { call, target, intents } of run.audited) {
    expect(call.input).toMatchObject({ FunctionName: target, ReservedConcurrentExecutions: 0 });
    expect(intents.length).toBeGreaterThanOrEqual(1);
    for (const row of intents) {
      expect(row).toMatchObject({ status: 'intent', operation: PUT_OPERATION, target });
      expect(admitted.get(target)).toContain(row.incidentId);
    }
    if (options.oneIncidentPerTarget) expect(intents.map((r) => r.incidentId)).toEqual([...(admitted.get(target) ?? [])]);
  }
}

/**
 * After the stream every action row is settled (`unknown` only where a 5xx answered the last
 * attempt: the call may have taken effect, and the next touch of the target reads it again), every
 * incident row belongs to an execution that was delivered and is closed, and only ALARM
 * transitions left incidents that were not rejected.
 */
function checkLedgerSettled({ records, ledger }: Outcome, delivered: ReadonlySet<string>): void {
  const alarmIncidents = new Set(records.filter((r) => r.transition.state === 'ALARM').map((r) => r.incident?.id));
  for (const row of ledger.actions) {
    expect(['succeeded', 'failed', 'unknown']).toContain(row.status);
    if (row.status === 'unknown') expect(row.error).toContain('AwsUnavailable');
    expect(delivered).toContain(row.executionArn);
    expect(alarmIncidents).toContain(row.incidentId);
  }
  for (const incident of ledger.incidents) {
    expect(delivered).toContain(incident.executionArn);
    expect(incident.status).not.toBe('admitted');
    // An execution admit rejects (an OK transition here) is recorded as rejected, and acts on nothing.
    if (incident.status === 'rejected') expect(ledger.actions.filter((a) => a.incidentId === incident.incidentId)).toEqual([]);
    else expect(alarmIncidents).toContain(incident.incidentId);
  }
}

/**
 * The ledger accounts for every call: per target, each of the `attempts` on that target's action
 * rows sent one PutFunctionConcurrency, sent again by the SDK only when throttled (refused, not
 * applied; up to three sends), and no incident has more than one row that made calls (another is
 * a change found in effect: succeeded, no attempt).
 */
function checkAttemptsAccountForCalls(run: Run, { ledger }: Outcome): void {
  for (const target of FUNCTIONS) {
    const rows = ledger.actions.filter((a) => a.target === target);
    const attempts = rows.reduce((n, r) => n + r.attempts, 0);
    const puts = putsOn(run, target);
    const throttled = (c: SandboxCall) => c.error?.code === 'TooManyRequestsException';
    expect(puts.filter((c) => !throttled(c)).length).toBeLessThanOrEqual(attempts);
    expect(puts.length).toBeGreaterThanOrEqual(attempts);
    expect(puts.length).toBeLessThanOrEqual(3 * attempts);
    const calling = rows.filter((r) => r.attempts > 0);
    expect(new Set(calling.map((r) => r.incidentId)).size).toBe(calling.length);
    for (const found of rows.filter((r) => r.attempts === 0)) expect(found).toMatchObject({ status: 'succeeded', generation: 2 });
  }
}

/**
 * The stop step run again for the same execution, after the first finished or overlapping it (its
 * read answered only once the first was done), makes no call: it reports replayed, with the first
 * call's `before` and `after`.
 */
function checkReplays({ records, ledger }: Outcome): void {
  for (const r of records) {
    if (!r.replay) continue;
    expect(r.stop?.ok).toBe(true);
    if (r.replay.mode === 'overlapping') expect(r.replay.overlapped).toBe(true);
    const first = r.stop?.ok ? r.stop.result : undefined;
    expect(r.replay.error).toBeUndefined();
    expect(r.replay.result).toEqual({ ...first, replayed: true });
    expect(newestRow(ledger, r.incident?.id)).toMatchObject({ status: 'succeeded', before: first?.before, after: 0 });
  }
}

/**
 * With a cooldown longer than the stream, per target: exactly one incident is admitted when the
 * stream held an ALARM transition for a configured target (none otherwise), every other transition
 * on it is held, and at most one PutFunctionConcurrency takes effect. `before` is the value the
 * function had before the stream.
 */
function checkOneIncidentPerTarget(run: Run, outcome: Outcome): void {
  const { records, ledger } = outcome;
  const admitted = admittedByTarget(records);
  for (const target of FUNCTIONS) {
    const ids = [...(admitted.get(target) ?? [])];
    expect(ids).toHaveLength(alarmedConfigured(records, target) ? 1 : 0);
    expect(effective(putsOn(run, target)).length).toBeLessThanOrEqual(1);
    const rows = ledger.actions.filter((a) => a.target === target);
    expect([...new Set(rows.map((a) => a.incidentId))]).toEqual(ids);
    for (const row of rows) expect(row.before).toEqual(run.initial[target]);
    const cooldown = ledger.cooldowns.find((c) => c.target === target);
    expect(cooldown?.incidentId).toEqual(ids[0]);
  }
  for (const r of records) {
    if (r.decision === 'cooldown') expect(admitted.get(r.incident?.target ?? '')).not.toContain(r.incident?.id);
  }
}

/**
 * Each admitted incident's stop ends on one row, its newest: succeeded (incident remediated), or
 * failed or unknown (incident failed); the run's verdict never disagrees with it. An older row is a
 * refused call (failed) whose target a retry found stopped already: the newer row records that,
 * with no call. Per target, every succeeded row that stopped a running function made
 * exactly one effective call (one on a function at 0 already may have been settled by a read),
 * every call that failed was an injected fault, and the function is at 0 if any succeeded,
 * untouched if none.
 */
function checkEachIncidentSettled(run: Run, { records, ledger }: Outcome, options: { allSucceeded: boolean }): void {
  for (const [target, ids] of admittedByTarget(records)) {
    let stopped = 0;
    // A row whose function was at 0 already may be settled from a read after a 5xx, with no call.
    let stoppedFromRunning = 0;
    for (const id of ids) {
      const rows = ledger.actions.filter((a) => a.incidentId === id);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      const row = newestRow(ledger, id);
      for (const older of rows.filter((r) => r !== row)) expect(older.status).toBe('failed');
      if (rows.length > 1) expect(row).toMatchObject({ status: 'succeeded', attempts: 0, before: 0 });
      const incident = ledger.incidents.find((i) => i.incidentId === id);
      if (row?.status === 'succeeded') {
        expect(row).toMatchObject({ operation: PUT_OPERATION, target, after: 0 });
        expect(incident?.status).toBe('remediated');
        stopped += 1;
        if (row.before !== 0) stoppedFromRunning += 1;
      } else {
        expect(options.allSucceeded).toBe(false);
        // Refused (failed), or a 5xx on the last attempt (unknown: a 5xx'd call is not applied here).
        expect(['failed', 'unknown']).toContain(row?.status);
        expect(incident?.status).toBe('failed');
      }
    }
    const calls = putsOn(run, target);
    expect(effective(calls).length).toBeLessThanOrEqual(stopped);
    expect(effective(calls).length).toBeGreaterThanOrEqual(stoppedFromRunning);
    for (const failed of calls.filter((c) => c.error !== undefined)) expect(failed.error?.injected).toBe(true);
    expect(run.sandbox.state.lambda.functions[target]?.reservedConcurrency).toEqual(stopped ? 0 : run.initial[target]);
  }
}

async function withRun<T>(stream: Stream, body: (run: Run) => Promise<T>): Promise<T> {
  const run = await openRun(h, stream.initial);
  try {
    return await body(run);
  } finally {
    await run.close();
  }
}

const executionsOf = (records: readonly ExecutionRecord[]) => new Set(records.map((r) => r.executionArn));

// ---------------------------------------------------------------------------------------------

test('with a cooldown: one stop per target, audited before the call, ledger settled, replays make no call', async () => {
  await fc.assert(
    fc.asyncProperty(streamArbitrary({ faults: false, maxDeliveries: 16, replays: ['none', 'after', 'overlapping'] }), (stream) => withRun(stream, async (run) => {
      const records = await deliver(h, h.admitLong, run, stream);
      const outcome: Outcome = { stream, records, ledger: await run.scan() };

      checkIncidentIdentity(outcome);
      checkAuditedBeforeCall(run, outcome, { oneIncidentPerTarget: true });
      checkLedgerSettled(outcome, executionsOf(records));
      checkAttemptsAccountForCalls(run, outcome);
      checkOneIncidentPerTarget(run, outcome);
      checkEachIncidentSettled(run, outcome, { allSucceeded: true });
      checkReplays(outcome);
      // Without faults no incident is admitted twice: duplicates are duplicates.
      for (const key of new Set(records.map((r) => r.transition.key))) {
        expect(records.filter((r) => r.transition.key === key && r.decision === 'admit').length).toBeLessThanOrEqual(1);
      }
      for (const target of FUNCTIONS) {
        expect(putsOn(run, target)).toHaveLength(alarmedConfigured(records, target) ? 1 : 0);
      }
    })),
    { numRuns: NUM_RUNS },
  );
});

test('without a cooldown: one stop per admitted alarm transition, never two for one transition', async () => {
  await fc.assert(
    fc.asyncProperty(streamArbitrary({ faults: false, maxDeliveries: 16, replays: ['none', 'after'] }), (stream) => withRun(stream, async (run) => {
      const records = await deliver(h, h.admitNone, run, stream);
      const outcome: Outcome = { stream, records, ledger: await run.scan() };

      checkIncidentIdentity(outcome);
      checkAuditedBeforeCall(run, outcome, { oneIncidentPerTarget: false });
      checkLedgerSettled(outcome, executionsOf(records));
      checkAttemptsAccountForCalls(run, outcome);
      checkEachIncidentSettled(run, outcome, { allSucceeded: false });
      checkReplays(outcome);
      const admitted = admittedByTarget(records);
      for (const key of new Set(records.map((r) => r.transition.key))) {
        expect(records.filter((r) => r.transition.key === key && r.decision === 'admit').length).toBeLessThanOrEqual(1);
      }
      for (const target of FUNCTIONS) {
        const ids = admitted.get(target) ?? new Set();
        // One call per admitted transition, each its own ledger row with a single attempt.
        expect(putsOn(run, target)).toHaveLength(ids.size);
        for (const row of outcome.ledger.actions.filter((a) => a.target === target)) {
          expect(row).toMatchObject({ status: 'succeeded', attempts: 1 });
          expect([run.initial[target], 0]).toContainEqual(row.before);
        }
        // Every ALARM transition on a configured target is acted on or held, never lost.
        if (alarmedConfigured(records, target)) expect(ids.size).toBeGreaterThanOrEqual(1);
      }
      for (const r of records.filter((x) => isAlarmOnConfigured(x.transition))) {
        expect(['admit', 'duplicate', 'cooldown']).toContain(r.decision);
      }
    })),
    { numRuns: NUM_RUNS },
  );
});

test('a function at 0 already, its stop throttled through the SDK\'s three sends: the Retry finds it stopped, makes no call, and the run and its newest row both say remediated', async () => {
  const target = CONFIGURED[2] as string;
  const alarm = { name: 'runaway-prop-alarm-0', arn: 'arn:aws:cloudwatch:sa-east-1:111122223333:alarm:runaway-prop-alarm-0', target, metric: 'ConcurrentExecutions' as const };
  const timestamp = '2026-11-03T03:00:00.522+0000';
  const transition = { alarm, state: 'ALARM' as const, timestamp, key: `${alarm.arn}|${timestamp}` };
  const stream: Stream = {
    initial: Object.fromEntries(FUNCTIONS.map((f) => [f, f === target ? 0 : null])),
    groups: [[{ index: 0, transition, replay: 'none', fault: { service: 'lambda', operation: 'PutFunctionConcurrency', error: 'throttling', times: 3 } }]],
  };
  await withRun(stream, async (run) => {
    const records = await deliver(h, h.admitLong, run, stream);
    const outcome: Outcome = { stream, records, ledger: await run.scan() };

    expect(records[0]?.stop).toMatchObject({ ok: true, invocations: 2, result: { replayed: true, before: 0, after: 0 } });
    expect(run.puts().map((c) => c.error?.code)).toEqual(['TooManyRequestsException', 'TooManyRequestsException', 'TooManyRequestsException']);
    expect(outcome.ledger.actions.map((a) => [a.actionKey.split('#').length, a.status, a.attempts])).toEqual([[3, 'failed', 1], [4, 'succeeded', 0]]);
    expect(outcome.ledger.incidents).toEqual([expect.objectContaining({ status: 'remediated' })]);
    checkAttemptsAccountForCalls(run, outcome);
    checkEachIncidentSettled(run, outcome, { allSucceeded: true });
  });
});

test('with injected throttling and 5xx: Retry and re-runs end with exactly one effective stop per incident', async () => {
  await fc.assert(
    fc.asyncProperty(streamArbitrary({ faults: true, maxDeliveries: 14, replays: ['none', 'after'] }), (stream) => withRun(stream, async (run) => {
      const records = await deliver(h, h.admitLong, run, stream);
      let outcome: Outcome = { stream, records, ledger: await run.scan() };

      // After the stream, with the state machine's Retry only.
      checkIncidentIdentity(outcome);
      checkAuditedBeforeCall(run, outcome, { oneIncidentPerTarget: true });
      checkLedgerSettled(outcome, executionsOf(records));
      checkAttemptsAccountForCalls(run, outcome);
      checkOneIncidentPerTarget(run, outcome);
      checkEachIncidentSettled(run, outcome, { allSucceeded: false });
      checkReplays(outcome);
      for (const r of records) if (r.stop) expect(r.stop.invocations).toBeLessThanOrEqual(STOP_MAX_INVOCATIONS);

      // An operator starts a new execution with the same input for each failed incident, until the
      // injected faults are used up (each failing re-run uses STOP_MAX_INVOCATIONS of them).
      const injected = stream.groups.flat().reduce((n, d) => n + (d.fault?.times ?? 0), 0);
      const all = [...records];
      let rerun = 0;
      for (let round = 0; round <= Math.ceil(injected / STOP_MAX_INVOCATIONS); round++) {
        const failed = outcome.ledger.incidents.filter((i) => i.status === 'failed');
        if (failed.length === 0) break;
        for (const incident of failed) {
          const transition = all.find((r) => r.incident?.id === incident.incidentId)?.transition;
          if (!transition) throw new Error(`no delivered transition for ${incident.incidentId}`);
          const record = await execute(h, h.admitLong, run, {
            transition, eventNumber: 1000 + rerun, execution: executionArn(`rerun-${rerun}`), replay: 'none', fault: null,
          });
          rerun += 1;
          expect(record.decision).toBe('admit');
          all.push(record);
        }
        outcome = { stream, records: all, ledger: await run.scan() };
      }

      checkAuditedBeforeCall(run, outcome, { oneIncidentPerTarget: true });
      checkLedgerSettled(outcome, executionsOf(all));
      checkAttemptsAccountForCalls(run, outcome);
      checkOneIncidentPerTarget(run, outcome);
      checkEachIncidentSettled(run, outcome, { allSucceeded: true });
      for (const target of CONFIGURED) {
        const stops = effective(putsOn(run, target)).length;
        // A function at 0 already may be found stopped by the read after a 5xx: no call needed.
        if (alarmedConfigured(all, target) && run.initial[target] !== 0) expect(stops).toBe(1);
        else expect(stops).toBeLessThanOrEqual(alarmedConfigured(all, target) ? 1 : 0);
      }
    })),
    { numRuns: NUM_RUNS },
  );
});
