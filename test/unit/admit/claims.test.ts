/**
 * Admission's ledger claims against dynalite: what each costs in calls (counted by middleware on
 * the client), and incident and cooldown claims from two containers interleaved by fast-check's scheduler
 * through a proxy that makes every DynamoDB request and answer a step; the same with each
 * container's cooldown memory (lambdas/admit/cooldown-memory.ts) in front of its ledger.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { CooldownMemory } from '../../../lambdas/admit/cooldown-memory';
import { Ledger, mayTakeOver } from '../../../lambdas/shared/ledger';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';
import { schedulerGate, startSchedulingProxy, type SchedulingProxy } from '../../support/scheduling-proxy';

const TABLE = 'claims-ledger';
const RUNBOOK = 'lambda-runaway';
const COOLDOWN_MS = 30 * 60_000;
const T0 = Date.parse('2026-11-03T03:12:41.522Z');
const EXEC = (name: string) => `arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-lambda-runaway:${name}`;

let dynamo: LocalDynamo;
let proxy: SchedulingProxy;
beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedgerTable(TABLE);
  proxy = await startSchedulingProxy(dynamo.endpoint);
});
afterAll(async () => {
  await proxy.close();
  await dynamo.close();
});

/** A client whose every command is written down as it is sent (after the SDK's retries: one per attempt). */
function countingClient(endpoint: string, options: { dropRefusedItem?: boolean } = {}): { client: DynamoDBClient; sent: string[] } {
  const client = new DynamoDBClient({ endpoint, region: 'sa-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const sent: string[] = [];
  client.middlewareStack.add((next, context) => async (args) => {
    sent.push(String(context.commandName).replace(/Command$/, ''));
    try {
      return await next(args);
    } catch (e: unknown) {
      // A DynamoDB that ignores ReturnValuesOnConditionCheckFailure answers a refusal without the item.
      if (options.dropRefusedItem && e instanceof ConditionalCheckFailedException) delete e.Item;
      throw e;
    }
  }, { step: 'finalizeRequest', name: 'countCalls' });
  return { client, sent };
}

/** A target's row with 250 remediations (the trim's threshold), oldest first, its hold lapsed: the entries. */
async function seedLongHistory(raw: DynamoDBDocumentClient, target: string) {
  const entries = Array.from({ length: 250 }, (_, i) => ({ incidentId: `inc-${target}-${i}`, at: new Date(T0 - (250 - i) * 60_000).toISOString() }));
  await raw.send(new PutCommand({ TableName: TABLE, Item: {
    pk: `HISTORY#${RUNBOOK}#${target}`, sk: 'META', remediations: entries, incidentIds: new Set(entries.map((r) => r.incidentId)),
    heldBy: 'inc-old', untilMs: T0 - 1, until: new Date(T0 - 1).toISOString(),
  } }));
  return entries;
}
/** The incident ids a target's row holds as a set (what the trim prunes with the list). */
const recordedIds = async (raw: DynamoDBDocumentClient, target: string) =>
  [...(await raw.send(new GetCommand({ TableName: TABLE, Key: { pk: `HISTORY#${RUNBOOK}#${target}`, sk: 'META' }, ConsistentRead: true }))).Item!.incidentIds as Set<string>].sort();

let seq = 0;
const fresh = (what: string) => `${what}-${++seq}-${Math.random().toString(16).slice(2, 8)}`;
const incidentRecord = (incidentId: string, executionArn: string) => ({
  incidentId, runbook: RUNBOOK, target: 'fn', dedupeKey: `alarm|${incidentId}`, executionArn, summary: 's', firedAt: '2026-11-03T03:12:41.522+0000',
});

describe('claimIncident', () => {
  test('a duplicate is refused in one conditional write (a plain put only a new incident passes) that names the execution holding the incident', async () => {
    const { client, sent } = countingClient(dynamo.endpoint);
    const ledger = new Ledger(TABLE, client);
    const id = fresh('inc');
    expect(await ledger.claimIncident(incidentRecord(id, EXEC('first')))).toEqual({ claimed: true });
    sent.length = 0;

    const again = await ledger.claimIncident(incidentRecord(id, EXEC('second')));

    expect(again).toEqual({ claimed: false, existing: expect.objectContaining({ incidentId: id, executionArn: EXEC('first'), status: 'admitted' }) });
    expect(sent).toEqual(['PutItem']);
  });

  test('when the refusal carries no item, the claim reads the record (two calls, same answer)', async () => {
    const { client, sent } = countingClient(dynamo.endpoint, { dropRefusedItem: true });
    const ledger = new Ledger(TABLE, client);
    const id = fresh('inc');
    await ledger.claimIncident(incidentRecord(id, EXEC('first')));
    sent.length = 0;

    const again = await ledger.claimIncident(incidentRecord(id, EXEC('second')));

    expect(again).toEqual({ claimed: false, existing: expect.objectContaining({ incidentId: id, executionArn: EXEC('first'), status: 'admitted' }) });
    expect(sent).toEqual(['PutItem', 'GetItem']);
  });

  test('its own execution (a retry) and a new one taking over a failed incident claim it with a second, conditional update that keeps the first createdAt; a failed incident being undone is refused in one write', async () => {
    let now = T0;
    const { client, sent } = countingClient(dynamo.endpoint);
    const ledger = new Ledger(TABLE, client, () => new Date(now));
    const id = fresh('inc');
    expect(await ledger.claimIncident(incidentRecord(id, EXEC('first')))).toEqual({ claimed: true });
    const created = new Date(T0).toISOString();
    expect(await ledger.getIncident(id)).toMatchObject({ executionArn: EXEC('first'), status: 'admitted', redriveCount: 0, createdAt: created, updatedAt: created });
    now += 60_000;
    sent.length = 0;

    expect(await ledger.claimIncident({ ...incidentRecord(id, EXEC('first')), redriveCount: 1 })).toEqual({ claimed: true });
    expect(sent).toEqual(['PutItem', 'UpdateItem']);
    expect(await ledger.getIncident(id)).toMatchObject({ redriveCount: 1, createdAt: created, updatedAt: new Date(now).toISOString() });

    await ledger.finishIncident(id, EXEC('first'), 'failed', 'a step failed', 1);
    now += 60_000;
    sent.length = 0;
    expect(await ledger.claimIncident(incidentRecord(id, EXEC('second')))).toEqual({ claimed: true });
    expect(sent).toEqual(['PutItem', 'UpdateItem']);
    const taken = await ledger.getIncident(id);
    expect(taken).toMatchObject({ executionArn: EXEC('second'), status: 'admitted', redriveCount: 0, createdAt: created });
    expect(taken).not.toHaveProperty('reason');

    await ledger.finishIncident(id, EXEC('second'), 'failed', 'a step failed');
    await ledger.claimUndo(id, EXEC('undo'), 'maria');
    sent.length = 0;
    expect(await ledger.claimIncident(incidentRecord(id, EXEC('third'))))
      .toEqual({ claimed: false, existing: expect.objectContaining({ executionArn: EXEC('second'), status: 'failed', undoStatus: 'undoing' }) });
    expect(sent).toEqual(['PutItem']);
  });

  test('mayTakeOver states the update\'s condition: its own execution, or failed and not being undone', () => {
    const row = (status: 'admitted' | 'failed' | 'remediated', undoStatus?: 'undoing' | 'undone' | 'failed') => ({ executionArn: EXEC('a'), status, ...(undoStatus ? { undoStatus } : {}) });
    expect(mayTakeOver(row('admitted'), EXEC('a'))).toBe(true);
    expect(mayTakeOver(row('failed', 'undoing'), EXEC('a'))).toBe(true);
    expect(mayTakeOver(row('admitted'), EXEC('b'))).toBe(false);
    expect(mayTakeOver(row('remediated'), EXEC('b'))).toBe(false);
    expect(mayTakeOver(row('failed'), EXEC('b'))).toBe(true);
    expect(mayTakeOver(row('failed', 'undone'), EXEC('b'))).toBe(true);
    expect(mayTakeOver(row('failed', 'failed'), EXEC('b'))).toBe(true);
    expect(mayTakeOver(row('failed', 'undoing'), EXEC('b'))).toBe(false);
  });

  test('two containers, three executions, the holder failing and an undo starting, in any order: a new execution holds the incident only after its holder failed it, and every refusal names the holder it could not take over', async () => {
    const EXECUTIONS = ['a', 'b', 'c'] as const;
    const CLAIMS = fc.array(fc.record({ container: fc.integer({ min: 0, max: 1 }), execution: fc.constantFrom(...EXECUTIONS) }), { minLength: 2, maxLength: 7 });
    await fc.assert(fc.asyncProperty(fc.scheduler(), CLAIMS, fc.integer({ min: 0, max: 2 }), fc.boolean(), async (s, claims, failures, undo) => {
      const containers = [0, 1].map(() => countingClient(proxy.url));
      const ledgers = containers.map((c) => new Ledger(TABLE, c.client));
      const operator = new Ledger(TABLE, countingClient(proxy.url).client);
      const id = fresh('inc');
      const grants: string[] = [];
      const refusals: { execution: string; existing: Parameters<typeof mayTakeOver>[0] }[] = [];
      let failed = 0;
      let undoClaimed = false;

      const gate = schedulerGate(s);
      proxy.setGate(gate);
      try {
        const claimsDone = [0, 1].map(async (container) => {
          for (const [i, { execution }] of claims.entries()) {
            if (claims[i]!.container !== container) continue;
            await gate(`claim ${i} by ${container}: ${execution}`);
            const out = await ledgers[container]!.claimIncident(incidentRecord(id, EXEC(execution)));
            if (out.claimed) grants.push(EXEC(execution));
            else refusals.push({ execution: EXEC(execution), existing: out.existing });
          }
        });
        // The holder of the moment fails its incident (its run failed), and an operator may start an undo.
        const failuresDone = Array.from({ length: failures }, async (_, i) => {
          await gate(`failure ${i}`);
          const holder = await operator.getIncident(id);
          if (!holder) return;
          try {
            await operator.finishIncident(id, holder.executionArn, 'failed', 'a step failed');
            failed++;
          } catch (e: unknown) {
            // The holder changed between the read and the finish: that finish is refused, as it should be.
            if (!(e instanceof ConditionalCheckFailedException)) throw e;
          }
        });
        const undoDone = undo ? [(async () => {
          await gate('undo');
          undoClaimed = (await operator.claimUndo(id, EXEC('undo'), 'maria')).claimed;
        })()] : [];
        await s.waitFor(Promise.all([...claimsDone, ...failuresDone, ...undoDone]));
      } finally {
        proxy.setGate(null);
        for (const c of containers) c.client.destroy();
      }

      // Each new holder needs a failure of the one before.
      expect(new Set(grants).size).toBeLessThanOrEqual(1 + failed);
      for (const r of refusals) {
        expect(mayTakeOver(r.existing, r.execution)).toBe(false);
        expect(grants).toContain(r.existing.executionArn);
      }
      const record = await new Ledger(TABLE, countingClient(dynamo.endpoint).client).getIncident(id);
      if (grants.length > 0) expect(grants).toContain(record?.executionArn);
      if (undoClaimed) expect(record?.undoStatus).toBe('undoing');
    }), { numRuns: 40 });
  });
});

describe('claimCooldown', () => {
  test('another incident is refused in one conditional write that names the holder and until when; the holder itself is granted again', async () => {
    let now = T0;
    const { client, sent } = countingClient(dynamo.endpoint);
    const ledger = new Ledger(TABLE, client, () => new Date(now));
    const target = fresh('fn');
    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-a', COOLDOWN_MS)).toEqual({ granted: true, history: [] });
    now += 60_000;
    sent.length = 0;

    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-b', COOLDOWN_MS))
      .toEqual({ granted: false, heldBy: 'inc-a', until: new Date(T0 + COOLDOWN_MS).toISOString() });
    expect(sent).toEqual(['UpdateItem']);
    // A retried admit of the holder takes it again from now (and extends it), with no second entry in the history.
    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-a', COOLDOWN_MS)).toEqual({ granted: true, history: [{ incidentId: 'inc-a', at: new Date(T0).toISOString() }] });
    expect(sent).toEqual(['UpdateItem', 'UpdateItem', 'UpdateItem']);
    now = T0 + COOLDOWN_MS;
    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-b', COOLDOWN_MS)).toMatchObject({ granted: false, heldBy: 'inc-a' });
    now = T0 + 60_000 + COOLDOWN_MS;
    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-b', COOLDOWN_MS)).toEqual({ granted: true, history: [{ incidentId: 'inc-a', at: new Date(T0).toISOString() }] });
    expect(await ledger.remediationHistory(RUNBOOK, target)).toEqual([
      { incidentId: 'inc-a', at: new Date(T0).toISOString() }, { incidentId: 'inc-b', at: new Date(now).toISOString() },
    ]);
  });

  test('a grant records the remediation and answers with the history before it, in one write; an incident held after it is taken back out, the hold kept', async () => {
    let now = T0;
    const { client, sent } = countingClient(dynamo.endpoint);
    const ledger = new Ledger(TABLE, client, () => new Date(now));
    const target = fresh('fn');
    await ledger.claimCooldown(RUNBOOK, target, 'inc-a', COOLDOWN_MS);
    now += COOLDOWN_MS;
    await ledger.claimCooldown(RUNBOOK, target, 'inc-b', COOLDOWN_MS);
    now += COOLDOWN_MS;
    sent.length = 0;

    const third = await ledger.claimCooldown(RUNBOOK, target, 'inc-c', COOLDOWN_MS);

    expect(third).toEqual({ granted: true, history: [{ incidentId: 'inc-a', at: new Date(T0).toISOString() }, { incidentId: 'inc-b', at: new Date(T0 + COOLDOWN_MS).toISOString() }] });
    expect(sent).toEqual(['UpdateItem']);
    // inc-b was held by a rail after its grant: it changed nothing.
    await ledger.forgetRemediation(RUNBOOK, target, 'inc-b');
    expect((await ledger.remediationHistory(RUNBOOK, target)).map((r) => r.incidentId)).toEqual(['inc-a', 'inc-c']);
    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-d', COOLDOWN_MS)).toMatchObject({ granted: false, heldBy: 'inc-c' });
    // Forgetting what is not there changes nothing.
    await ledger.forgetRemediation(RUNBOOK, target, 'inc-b');
    expect((await ledger.remediationHistory(RUNBOOK, target)).map((r) => r.incidentId)).toEqual(['inc-a', 'inc-c']);
  });

  test('a target row an earlier version wrote: its history is kept, and a live hold in its cooldown row is honoured', async () => {
    const now = T0;
    const ledger = new Ledger(TABLE, countingClient(dynamo.endpoint).client, () => new Date(now));
    const target = fresh('fn');
    const raw = DynamoDBDocumentClient.from(countingClient(dynamo.endpoint).client);
    await raw.send(new PutCommand({ TableName: TABLE, Item: { pk: `HISTORY#${RUNBOOK}#${target}`, sk: 'META', remediations: [{ incidentId: 'inc-old', at: new Date(T0 - 600_000).toISOString() }], incidentIds: new Set(['inc-old']) } }));
    await raw.send(new PutCommand({ TableName: TABLE, Item: { pk: `COOLDOWN#${RUNBOOK}#${target}`, sk: 'META', incidentId: 'inc-old', untilMs: T0 + 60_000, until: new Date(T0 + 60_000).toISOString() } }));

    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-new', COOLDOWN_MS)).toEqual({ granted: false, heldBy: 'inc-old', until: new Date(T0 + 60_000).toISOString() });
    expect((await ledger.remediationHistory(RUNBOOK, target)).map((r) => r.incidentId)).toEqual(['inc-old']);
    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-other', COOLDOWN_MS)).toMatchObject({ granted: false, heldBy: 'inc-old' });

    const later = new Ledger(TABLE, countingClient(dynamo.endpoint).client, () => new Date(T0 + 60_000));
    expect(await later.claimCooldown(RUNBOOK, target, 'inc-new', COOLDOWN_MS)).toEqual({ granted: true, history: [{ incidentId: 'inc-old', at: new Date(T0 - 600_000).toISOString() }] });
  });

  test('a hold edited by hand into something that is not a number still holds: refused, naming its holder, nothing recorded', async () => {
    const ledger = new Ledger(TABLE, countingClient(dynamo.endpoint).client, () => new Date(T0));
    const target = fresh('fn');
    const raw = DynamoDBDocumentClient.from(countingClient(dynamo.endpoint).client);
    // A number typed into the console as a string: no comparison with :now holds on it, and no grant either.
    await raw.send(new PutCommand({ TableName: TABLE, Item: {
      pk: `HISTORY#${RUNBOOK}#${target}`, sk: 'META', heldBy: 'inc-edited', untilMs: String(T0 - 60_000), until: new Date(T0 - 60_000).toISOString(),
      remediations: [{ incidentId: 'inc-edited', at: new Date(T0 - 600_000).toISOString() }], incidentIds: new Set(['inc-edited']),
    } }));

    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-new', COOLDOWN_MS)).toEqual({ granted: false, heldBy: 'inc-edited', until: new Date(T0 - 60_000).toISOString() });
    expect((await ledger.remediationHistory(RUNBOOK, target)).map((r) => r.incidentId)).toEqual(['inc-edited']);
  });

  test('a row past 250 remediations keeps the newest 200: the oldest go in one more write, the grant and its answer as before', async () => {
    const now = T0;
    const { client, sent } = countingClient(dynamo.endpoint);
    const ledger = new Ledger(TABLE, client, () => new Date(now));
    const raw = DynamoDBDocumentClient.from(countingClient(dynamo.endpoint).client);

    const held = fresh('fn');
    const entries = await seedLongHistory(raw, held);
    sent.length = 0;
    const out = await ledger.claimCooldown(RUNBOOK, held, 'inc-new', COOLDOWN_MS);
    expect(out).toEqual({ granted: true, history: entries });
    expect(sent).toEqual(['UpdateItem', 'UpdateItem']);
    const kept = (await ledger.remediationHistory(RUNBOOK, held)).map((r) => r.incidentId);
    expect(kept).toEqual([...entries.slice(51).map((r) => r.incidentId), 'inc-new']);
    expect(await recordedIds(raw, held)).toEqual([...kept].sort());

    // An event whose every occurrence acts records without the hold, and is trimmed the same way.
    const open = fresh('fn');
    const openEntries = await seedLongHistory(raw, open);
    await ledger.recordRemediation(RUNBOOK, open, 'inc-every');
    expect((await ledger.remediationHistory(RUNBOOK, open)).map((r) => r.incidentId)).toEqual([...openEntries.slice(51).map((r) => r.incidentId), 'inc-every']);
  });

  test('a trim that finds the row changed since its read writes nothing: a remediation recorded in between is kept, and the later write trims', async () => {
    const raw = DynamoDBDocumentClient.from(countingClient(dynamo.endpoint).client);
    const target = fresh('fn');
    const entries = await seedLongHistory(raw, target);
    // Another container records a remediation of the target (and trims) between this grant's write and its trim.
    const other = new Ledger(TABLE, countingClient(dynamo.endpoint).client, () => new Date(T0));
    const { client } = countingClient(dynamo.endpoint);
    let between = false;
    client.middlewareStack.add((next) => async (args) => {
      const input = args.input as { UpdateExpression?: string };
      if (!between && input.UpdateExpression?.startsWith('SET remediations = :kept')) {
        between = true;
        await other.recordRemediation(RUNBOOK, target, 'inc-between');
      }
      return next(args);
    }, { step: 'initialize', name: 'writeInBetween' });

    const out = await new Ledger(TABLE, client, () => new Date(T0)).claimCooldown(RUNBOOK, target, 'inc-new', COOLDOWN_MS);

    expect(between).toBe(true);
    expect(out).toEqual({ granted: true, history: entries });
    // The other container's trim kept the newest 200 of 252; this one's, of a list the row no longer held, wrote nothing.
    const kept = (await other.remediationHistory(RUNBOOK, target)).map((r) => r.incidentId);
    expect(kept).toEqual([...entries.slice(52).map((r) => r.incidentId), 'inc-new', 'inc-between']);
    expect(await recordedIds(raw, target)).toEqual([...kept].sort());
  });

  test('when the refusal carries no item, the holder is read (two calls, same answer)', async () => {
    const { client, sent } = countingClient(dynamo.endpoint, { dropRefusedItem: true });
    const ledger = new Ledger(TABLE, client, () => new Date(T0));
    const target = fresh('fn');
    await ledger.claimCooldown(RUNBOOK, target, 'inc-a', COOLDOWN_MS);
    sent.length = 0;

    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-b', COOLDOWN_MS))
      .toEqual({ granted: false, heldBy: 'inc-a', until: new Date(T0 + COOLDOWN_MS).toISOString() });
    expect(sent).toEqual(['UpdateItem', 'GetItem']);
  });

  test('two containers, several incidents and a moving clock in any order: never two incidents within one cooldown, and every refusal names a real hold', async () => {
    const CLAIMS = fc.array(fc.record({ container: fc.integer({ min: 0, max: 1 }), incident: fc.constantFrom('inc-a', 'inc-b', 'inc-c') }), { minLength: 2, maxLength: 8 });
    await fc.assert(fc.asyncProperty(fc.scheduler(), CLAIMS, fc.array(fc.integer({ min: 5, max: 40 }), { minLength: 1, maxLength: 3 }), async (s, claims, advances) => {
      let now = T0;
      const clock = () => new Date(now);
      const containers = [0, 1].map(() => countingClient(proxy.url));
      const ledgers = containers.map((c) => new Ledger(TABLE, c.client, clock));
      const target = fresh('fn');
      const grants: { incident: string; at: number; untilMs: number }[] = [];
      const refusals: { incident: string; at: number; heldBy: string; until: string }[] = [];

      const gate = schedulerGate(s);
      proxy.setGate(gate);
      try {
        // A container serves one invocation at a time, as a Lambda execution environment does.
        const claimsDone = [0, 1].map(async (container) => {
          for (const [i, { incident }] of claims.entries()) {
            if (claims[i]!.container !== container) continue;
            await gate(`claim ${i} by ${container}: ${incident}`);
            const at = now;
            const out = await ledgers[container]!.claimCooldown(RUNBOOK, target, incident, COOLDOWN_MS);
            if (out.granted) grants.push({ incident, at, untilMs: at + COOLDOWN_MS });
            else refusals.push({ incident, at, ...out });
          }
        });
        // The clock moves on, in minutes, between any two steps.
        const clockDone = advances.map(async (minutes, i) => {
          await gate(`clock +${minutes} min (${i})`);
          now += minutes * 60_000;
        });
        await s.waitFor(Promise.all([...claimsDone, ...clockDone]));
      } finally {
        proxy.setGate(null);
        for (const c of containers) c.client.destroy();
      }

      for (const g of grants) {
        for (const h of grants) {
          if (g.incident !== h.incident) expect(Math.abs(g.at - h.at)).toBeGreaterThanOrEqual(COOLDOWN_MS);
        }
      }
      for (const r of refusals) {
        expect(r.heldBy).not.toBe(r.incident);
        expect(grants).toContainEqual(expect.objectContaining({ incident: r.heldBy, untilMs: Date.parse(r.until) }));
        expect(Date.parse(r.until)).toBeGreaterThan(r.at);
      }
    }), { numRuns: 40 });
  });
});

describe('CooldownMemory: cooldown claims with what a warm container learned', () => {
  const MEMORY_SECONDS = 5;

  test('another incident on a held target is refused from memory with the ledger\'s own answer and no call; the holder still asks the ledger', async () => {
    let now = T0;
    const { client, sent } = countingClient(dynamo.endpoint);
    const ledger = new Ledger(TABLE, client, () => new Date(now));
    const memory = new CooldownMemory(ledger, MEMORY_SECONDS, () => now);
    const target = fresh('fn');
    expect(await memory.claim(RUNBOOK, target, 'inc-a', COOLDOWN_MS)).toEqual({ granted: true, history: [] });
    now += 1_000;
    const fromLedger = await ledger.claimCooldown(RUNBOOK, target, 'inc-b', COOLDOWN_MS);
    sent.length = 0;

    expect(await memory.claim(RUNBOOK, target, 'inc-b', COOLDOWN_MS)).toEqual(fromLedger);
    expect(await memory.claim(RUNBOOK, target, 'inc-c', COOLDOWN_MS)).toEqual({ ...fromLedger });
    expect(sent).toEqual([]);
    // A retried admit of the holder is granted by the ledger, as without memory.
    expect(await memory.claim(RUNBOOK, target, 'inc-a', COOLDOWN_MS)).toMatchObject({ granted: true });
    expect(sent).toEqual(['UpdateItem', 'UpdateItem']);
  });

  test('a refusal learned from the ledger is kept too; a hold is asked again once older than the memory\'s age, and once it expired', async () => {
    let now = T0;
    const { client, sent } = countingClient(dynamo.endpoint);
    const ledger = new Ledger(TABLE, client, () => new Date(now));
    const elsewhere = new Ledger(TABLE, countingClient(dynamo.endpoint).client, () => new Date(now));
    const memory = new CooldownMemory(ledger, MEMORY_SECONDS, () => now);
    const target = fresh('fn');
    await elsewhere.claimCooldown(RUNBOOK, target, 'inc-a', COOLDOWN_MS);
    expect(await memory.claim(RUNBOOK, target, 'inc-b', COOLDOWN_MS)).toMatchObject({ granted: false, heldBy: 'inc-a' });
    expect(await memory.claim(RUNBOOK, target, 'inc-c', COOLDOWN_MS)).toMatchObject({ granted: false, heldBy: 'inc-a' });
    expect(sent).toEqual(['UpdateItem']);

    now += MEMORY_SECONDS * 1000 + 1;
    expect(await memory.claim(RUNBOOK, target, 'inc-c', COOLDOWN_MS)).toMatchObject({ granted: false, heldBy: 'inc-a' });
    expect(sent).toEqual(['UpdateItem', 'UpdateItem']);

    now = T0 + COOLDOWN_MS;
    expect(await memory.claim(RUNBOOK, target, 'inc-c', COOLDOWN_MS)).toMatchObject({ granted: true });
    expect(sent).toEqual(['UpdateItem', 'UpdateItem', 'UpdateItem']);
  });

  test('claims for one target arriving together make one write: the others are refused by its answer', async () => {
    const { client, sent } = countingClient(dynamo.endpoint);
    const memory = new CooldownMemory(new Ledger(TABLE, client), MEMORY_SECONDS);
    const target = fresh('fn');

    const outs = await Promise.all(['inc-a', 'inc-b', 'inc-c', 'inc-d'].map((id) => memory.claim(RUNBOOK, target, id, COOLDOWN_MS)));

    expect(outs[0]).toEqual({ granted: true, history: [] });
    for (const out of outs.slice(1)) expect(out).toMatchObject({ granted: false, heldBy: 'inc-a' });
    expect(sent).toEqual(['UpdateItem']);
  });

  test('age 0 asks the ledger for every claim', async () => {
    const { client, sent } = countingClient(dynamo.endpoint);
    const memory = new CooldownMemory(new Ledger(TABLE, client), 0);
    const target = fresh('fn');
    await memory.claim(RUNBOOK, target, 'inc-a', COOLDOWN_MS);
    await memory.claim(RUNBOOK, target, 'inc-b', COOLDOWN_MS);
    await memory.claim(RUNBOOK, target, 'inc-b', COOLDOWN_MS);
    expect(sent).toEqual(['UpdateItem', 'UpdateItem', 'UpdateItem']);
  });

  test('two containers with memory, claims in flight together and a moving clock in any order: never two incidents within one cooldown, and every refusal names a real, running hold', async () => {
    const CLAIMS = fc.array(fc.record({ container: fc.integer({ min: 0, max: 1 }), incident: fc.constantFrom('inc-a', 'inc-b', 'inc-c') }), { minLength: 2, maxLength: 8 });
    await fc.assert(fc.asyncProperty(fc.scheduler(), CLAIMS, fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }), async (s, claims, advances) => {
      let now = T0;
      const clients = [0, 1].map(() => countingClient(proxy.url));
      const target = fresh('fn');
      // What the ledger granted, timed when each write was asked for (the truth), and what the memories answered.
      const grants: { incident: string; at: number; untilMs: number }[] = [];
      const answered: { incident: string; granted: boolean }[] = [];
      const refusals: { incident: string; at: number; heldBy: string; until: string }[] = [];
      // A memory age of 10 minutes: the clock's moves keep some holds and outlive others.
      const memories = clients.map((c) => {
        const ledger = new Ledger(TABLE, c.client, () => new Date(now));
        return new CooldownMemory({
          claimCooldown: async (...args: Parameters<Ledger['claimCooldown']>) => {
            const at = now;
            const out = await ledger.claimCooldown(...args);
            if (out.granted) grants.push({ incident: args[2], at, untilMs: at + COOLDOWN_MS });
            return out;
          },
        }, 600, () => now);
      });

      const gate = schedulerGate(s);
      proxy.setGate(gate);
      try {
        // Each claim is its own invocation, all in flight together (a container serving several, as the bench drives it).
        const claimsDone = claims.map(async ({ container, incident }, i) => {
          await gate(`claim ${i} by ${container}: ${incident}`);
          const at = now;
          const out = await memories[container]!.claim(RUNBOOK, target, incident, COOLDOWN_MS);
          answered.push({ incident, granted: out.granted });
          if (!out.granted) refusals.push({ incident, at, ...out });
        });
        const clockDone = advances.map(async (minutes, i) => {
          await gate(`clock +${minutes} min (${i})`);
          now += minutes * 60_000;
        });
        await s.waitFor(Promise.all([...claimsDone, ...clockDone]));
      } finally {
        proxy.setGate(null);
        for (const c of clients) c.client.destroy();
      }

      for (const g of grants) {
        for (const h of grants) {
          if (g.incident !== h.incident) expect(Math.abs(g.at - h.at)).toBeGreaterThanOrEqual(COOLDOWN_MS);
        }
      }
      // Memory never grants: each incident told it may act was granted by the ledger as often.
      for (const incident of new Set(answered.map((a) => a.incident))) {
        expect(answered.filter((a) => a.incident === incident && a.granted).length).toBe(grants.filter((g) => g.incident === incident).length);
      }
      for (const r of refusals) {
        expect(r.heldBy).not.toBe(r.incident);
        expect(grants).toContainEqual(expect.objectContaining({ incident: r.heldBy, untilMs: Date.parse(r.until) }));
        expect(Date.parse(r.until)).toBeGreaterThan(r.at);
      }
    }), { numRuns: 60 });
  });
});
