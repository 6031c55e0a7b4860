/**
 * Admission's ledger claims against dynalite: what each costs in calls (counted by middleware on
 * the client), and cooldown claims from two containers interleaved by fast-check's scheduler
 * through a proxy that makes every DynamoDB request and answer a step.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { Ledger } from '../../../lambdas/shared/ledger';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';
import { startSchedulingProxy, type Gate, type SchedulingProxy } from '../../support/scheduling-proxy';

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

let seq = 0;
const fresh = (what: string) => `${what}-${++seq}-${Math.random().toString(16).slice(2, 8)}`;
const incidentRecord = (incidentId: string, executionArn: string) => ({
  incidentId, runbook: RUNBOOK, target: 'fn', dedupeKey: `alarm|${incidentId}`, executionArn, summary: 's', firedAt: '2026-11-03T03:12:41.522+0000',
});

describe('claimIncident', () => {
  test('a duplicate is refused in one conditional write that names the execution holding the incident', async () => {
    const { client, sent } = countingClient(dynamo.endpoint);
    const ledger = new Ledger(TABLE, client);
    const id = fresh('inc');
    expect(await ledger.claimIncident(incidentRecord(id, EXEC('first')))).toEqual({ claimed: true });
    sent.length = 0;

    const again = await ledger.claimIncident(incidentRecord(id, EXEC('second')));

    expect(again).toEqual({ claimed: false, existing: expect.objectContaining({ incidentId: id, executionArn: EXEC('first'), status: 'admitted' }) });
    expect(sent).toEqual(['UpdateItem']);
  });

  test('when the refusal carries no item, the claim reads the record (two calls, same answer)', async () => {
    const { client, sent } = countingClient(dynamo.endpoint, { dropRefusedItem: true });
    const ledger = new Ledger(TABLE, client);
    const id = fresh('inc');
    await ledger.claimIncident(incidentRecord(id, EXEC('first')));
    sent.length = 0;

    const again = await ledger.claimIncident(incidentRecord(id, EXEC('second')));

    expect(again).toEqual({ claimed: false, existing: expect.objectContaining({ incidentId: id, executionArn: EXEC('first'), status: 'admitted' }) });
    expect(sent).toEqual(['UpdateItem', 'GetItem']);
  });
});

describe('claimCooldown', () => {
  test('another incident is refused in one conditional write that names the holder and until when; the holder itself is granted again', async () => {
    let now = T0;
    const { client, sent } = countingClient(dynamo.endpoint);
    const ledger = new Ledger(TABLE, client, () => new Date(now));
    const target = fresh('fn');
    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-a', COOLDOWN_MS)).toEqual({ granted: true });
    now += 60_000;
    sent.length = 0;

    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-b', COOLDOWN_MS))
      .toEqual({ granted: false, heldBy: 'inc-a', until: new Date(T0 + COOLDOWN_MS).toISOString() });
    expect(sent).toEqual(['PutItem']);
    // A retried admit of the holder takes it again (and extends it).
    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-a', COOLDOWN_MS)).toEqual({ granted: true });
    now = T0 + 60_000 + COOLDOWN_MS;
    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-b', COOLDOWN_MS)).toEqual({ granted: true });
    expect(sent).toEqual(['PutItem', 'PutItem', 'PutItem']);
  });

  test('when the refusal carries no item, the holder is read (two calls, same answer)', async () => {
    const { client, sent } = countingClient(dynamo.endpoint, { dropRefusedItem: true });
    const ledger = new Ledger(TABLE, client, () => new Date(T0));
    const target = fresh('fn');
    await ledger.claimCooldown(RUNBOOK, target, 'inc-a', COOLDOWN_MS);
    sent.length = 0;

    expect(await ledger.claimCooldown(RUNBOOK, target, 'inc-b', COOLDOWN_MS))
      .toEqual({ granted: false, heldBy: 'inc-a', until: new Date(T0 + COOLDOWN_MS).toISOString() });
    expect(sent).toEqual(['PutItem', 'GetItem']);
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

      const gate: Gate = (label) => s.schedule(Promise.resolve(label), label).then(() => undefined);
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
