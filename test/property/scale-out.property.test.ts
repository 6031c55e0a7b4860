import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { ApprovalStore } from '../../lambdas/approval/store';
import { ledgerHarness } from '../support/ledger-harness';
import { seedApprovalRequest } from '../support/approval-requests';
import { EXECUTION_ARN, incident, lambdaContext } from '../support/fixtures';

/**
 * scale-out under re-fired alarms: each a new incident that diagnoses and acts; retries of the act
 * (the same input again, after its answer may have been lost); redrives (the same incident run
 * again from another execution with the plan its diagnosis made, now stale); and the service's own
 * scaling activities in between. The real inspect and scale handlers run against a modelled
 * account (Application Auto Scaling's min <= max rule and its move of the desired count into the
 * range) and a real ledger. Whatever the order, no call the runbook makes sets capacity above the
 * ceiling or below what the service had (the recorded minimum and desired count), and the minimum
 * never ends above the configured scale-out: a re-fired alarm never ratchets it.
 */

const SERVICE = 'alphaswarm-cluster-prod/alphaswarm-worker-prod';
const POLICY = { scaleOutTasks: 4, ceilingTasks: 8 };
const aas = mockClient(ApplicationAutoScalingClient);
const ecs = mockClient(ECSClient);
const harness = ledgerHarness('5', { env: { CAPACITY_POLICIES: JSON.stringify({ [SERVICE]: POLICY }), ALLOWED_TARGETS: JSON.stringify([SERVICE]), SCALE_ON_TIMEOUT: 'abort' } });
type Handler = (event: unknown, context: typeof lambdaContext) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let inspect: Handler;
let scale: Handler;
let store: ApprovalStore;
beforeAll(async () => {
  store = new ApprovalStore('ledger', harness.dynamo.client);
  inspect = (await import('../../runbooks/scale-out/handlers/inspect')).handler as Handler;
  scale = (await import('../../runbooks/scale-out/handlers/scale')).handler as Handler;
});

interface Account { desired: number; range: { min: number; max: number } | null; loseNextAnswer: boolean }
interface Set { kind: 'range' | 'desired'; before: Account; min?: number; max?: number; desired?: number }

/** The account as AWS keeps it; every runbook mutation is recorded with the state it found. */
function model(account: Account, sets: Set[]): void {
  aas.reset();
  ecs.reset();
  const snapshot = (): Account => ({ ...account, range: account.range && { ...account.range } });
  ecs.on(DescribeServicesCommand).callsFake(async () => ({ services: [{ status: 'ACTIVE', desiredCount: account.desired, runningCount: account.desired, pendingCount: 0, deployments: [] }] }));
  aas.on(DescribeScalableTargetsCommand).callsFake(async () => ({
    ScalableTargets: account.range ? [{ ResourceId: 'service/alphaswarm-cluster-prod/alphaswarm-worker-prod', MinCapacity: account.range.min, MaxCapacity: account.range.max }] : [],
  }));
  const lost = () => {
    if (!account.loseNextAnswer) return;
    account.loseNextAnswer = false;
    throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
  };
  aas.on(RegisterScalableTargetCommand).callsFake(async (input: { MinCapacity: number; MaxCapacity: number }) => {
    sets.push({ kind: 'range', before: snapshot(), min: input.MinCapacity, max: input.MaxCapacity });
    if (input.MinCapacity > input.MaxCapacity) throw Object.assign(new Error('Minimum capacity cannot be greater than maximum capacity'), { name: 'ValidationException' });
    account.range = { min: input.MinCapacity, max: input.MaxCapacity };
    account.desired = Math.min(Math.max(account.desired, input.MinCapacity), input.MaxCapacity);
    lost();
    return {};
  });
  ecs.on(UpdateServiceCommand).callsFake(async (input: { desiredCount: number }) => {
    sets.push({ kind: 'desired', before: snapshot(), desired: input.desiredCount });
    account.desired = input.desiredCount;
    lost();
    return { service: { status: 'ACTIVE', desiredCount: account.desired, runningCount: account.desired, deployments: [] } };
  });
}

type Step = { kind: 'refire' } | { kind: 'retry' } | { kind: 'redrive' } | { kind: 'activity'; desired: number } | { kind: 'lose-answer' } | { kind: 'operator'; min: number };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'refire' }), fc.constant<Step>({ kind: 'retry' }), fc.constant<Step>({ kind: 'redrive' }),
  fc.constant<Step>({ kind: 'lose-answer' }), fc.integer({ min: 0, max: 12 }).map((desired): Step => ({ kind: 'activity', desired })),
  fc.integer({ min: 0, max: 8 }).map((min): Step => ({ kind: 'operator', min })),
);
const accountArb = fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.boolean())
  .map(([min, spread, above, managed]): Account => ({ range: managed ? { min, max: min + spread } : null, desired: min + Math.min(above, spread + (managed ? 0 : above)), loseNextAnswer: false }));

let seq = 0;
const fresh = () => `inc-${(++seq).toString(16).padStart(16, '0')}`;

/** One incident: its diagnosis, its approved change and the input its act is given. */
async function diagnoseAndApprove(id: string): Promise<{ input: Record<string, unknown> } | null> {
  const base = { incident: incident({ id, runbook: 'scale-out', target: SERVICE }), execution: { id: EXECUTION_ARN }, dryRun: false };
  const d = await inspect(base, lambdaContext);
  if (d.plan.decision !== 'scale-out') return null;
  const requestId = await seedApprovalRequest(store, {
    requestId: `apr-${id.slice(4).padStart(32, '0')}`, incidentId: id, status: 'approved',
    gate: { runbook: 'scale-out', step: 'scale', summary: 's', firedAt: 'f', operation: d.plan.operation, target: SERVICE, parameters: d.plan.parameters, evidence: null, severity: 'P3' },
  });
  return { input: { ...base, approval: { decision: 'approved', requestId }, change: d.plan.change } };
}

const settle = (p: Promise<unknown>) => p.catch(() => undefined);

test('no sequence of re-fired alarms, retries, redrives and scaling activities sets capacity above the ceiling or below what the service had', async () => {
  await fc.assert(fc.asyncProperty(accountArb, fc.array(stepArb, { minLength: 1, maxLength: 12 }), async (start, steps) => {
    const account: Account = { ...start, range: start.range && { ...start.range } };
    const sets: Set[] = [];
    model(account, sets);
    let last: { input: Record<string, unknown> } | null = null;
    let redrives = 0;
    // The highest minimum anyone but the runbook chose: the runbook's own is the one scale-out.
    let chosen = start.range?.min ?? 0;
    for (const step of [{ kind: 'refire' } as Step, ...steps]) {
      if (step.kind === 'refire') {
        last = await diagnoseAndApprove(fresh()).catch(() => null);
        if (last) await settle(scale(last.input, lambdaContext));
      } else if (step.kind === 'retry' && last) {
        await settle(scale(last.input, lambdaContext));
      } else if (step.kind === 'redrive' && last) {
        await settle(scale({ ...last.input, execution: { id: `${EXECUTION_ARN}-rerun-${++redrives}` } }, lambdaContext));
      } else if (step.kind === 'lose-answer') {
        account.loseNextAnswer = true;
      } else if (step.kind === 'operator' && account.range) {
        // An operator raises the minimum by hand between a diagnosis and its act (or its redrive).
        account.range = { min: Math.min(step.min, account.range.max), max: account.range.max };
        account.desired = Math.max(account.desired, account.range.min);
        chosen = Math.max(chosen, account.range.min);
      } else if (step.kind === 'activity') {
        // A scaling activity keeps the desired count within the scalable target's range.
        account.desired = account.range ? Math.min(Math.max(step.desired, account.range.min), account.range.max) : account.desired;
      }
    }
    for (const s of sets) {
      if (s.kind === 'range') {
        expect(s.min).toBeLessThanOrEqual(POLICY.ceilingTasks);
        expect(s.min).toBeGreaterThanOrEqual(s.before.range?.min ?? 0);
        expect(s.max).toBeGreaterThanOrEqual(s.before.range?.max ?? 0);
        expect(s.min).toBeLessThanOrEqual(s.max!);
      } else {
        expect(s.desired).toBeLessThanOrEqual(POLICY.ceilingTasks);
        expect(s.desired).toBeGreaterThanOrEqual(s.before.desired);
        expect(s.before.range).toBeNull();
      }
    }
    // Absolute values: the minimum never ends above the one scale-out, whatever was re-fired.
    if (start.range) expect(account.range!.min).toBeLessThanOrEqual(Math.max(chosen, POLICY.scaleOutTasks));
  }), {
    numRuns: 60,
    // The seed account's worker, raised by hand after a scale-out, then that run redriven with its stale plan.
    examples: [
      [{ range: { min: 2, max: 8 }, desired: 2, loseNextAnswer: false }, [{ kind: 'operator', min: 6 }, { kind: 'redrive' }]],
      // A re-fired alarm's scale-out whose answer was lost (it took effect), an operator lowering then raising the
      // minimum past it, then that run redriven: the retry must read the target again, not act on what it first read.
      [{ range: { min: 3, max: 5 }, desired: 3, loseNextAnswer: false }, [
        { kind: 'operator', min: 0 }, { kind: 'lose-answer' }, { kind: 'refire' }, { kind: 'operator', min: 5 }, { kind: 'redrive' }, { kind: 'lose-answer' },
      ]],
    ],
  });
}, 120_000);
