import fc from 'fast-check';
import { CapacityModeRule } from '../../drill/capacity-mode-rule';
import type { Drill } from '../../drill/drill';
import type { DrillInput } from '../../drill/inputs';
import { parseBudgetNotification, unwrapSnsNotification } from '../../lambdas/domain/budget-notification';
import { budgetDedupeKey, incidentIdFor, parseTrigger } from '../../lambdas/domain/trigger';
import { deliveryOf, useDrillSandbox, withoutRails } from '../drill/drill-harness';
import { triggerOf } from '../support/runbooks';
import {
  applyHuman, captureSeed, CHEAPER_MODEL, eventOf, faultOf, FUNCTION, PARAMETER, resetAccount, sequenceArbitrary, TABLE,
  type RunbookName, type Seed, type Step,
} from './support/truth';

/**
 * A dry run never calls a mutation, whatever the ledger holds. The environment is in dry run; before
 * the sequence, each of its incidents may already hold what an acting run of it left (this
 * incident failed, its act step's row failed, unknown, still at intent, or succeeded with the change
 * in effect or undone since), and the sequence then delivers the alarms again and again (a failed
 * incident is taken over), with faults of every kind and a person's changes between. No mutating
 * call may reach the account, applied or not. One drill sandbox for the file.
 */

const RUNS_PER_RUNBOOK = 6;
const ACTING_RUN = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-drill:acting-run';
let day = 0;
const harness = useDrillSandbox(() => {
  process.env.AWS_MAX_ATTEMPTS = '1';
  return { config: withoutRails(undefined, { dryRun: true }), capacityModeRule: new CapacityModeRule(() => day * 86_400_000), time: { waitMs: 1, retryMs: 1 } };
});
let seed: Seed;
let sequence = 0;
beforeAll(() => {
  seed = captureSeed(harness.drill);
});

type Left = 'nothing' | 'failed' | 'unknown' | 'intent' | 'in effect' | 'undone since';
const LEFT: readonly Left[] = ['nothing', 'failed', 'unknown', 'intent', 'in effect', 'undone since'];

/** Each runbook's act step as an acting run records it, and how the account shows its change. */
const ACT: Record<RunbookName, { key: string; operation: string; target: string; before: unknown; intended: unknown; apply(drill: Drill): Promise<void> }> = {
  'lambda-runaway': {
    key: `stop#lambda:PutFunctionConcurrency#${FUNCTION}`, operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, before: null, intended: 0,
    apply: async (drill) => { drill.sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency = 0; },
  },
  'dynamodb-throttling': {
    key: `switch#dynamodb:UpdateTable#${TABLE}`, operation: 'dynamodb:UpdateTable', target: TABLE,
    before: { billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 5, globalSecondaryIndexes: [] }, intended: { billingMode: 'PAY_PER_REQUEST' },
    apply: async (drill) => { await applyHuman(drill, { kind: 'billing', onDemand: true }); },
  },
  'ecs-service-recovery': {
    key: 'redeploy#ecs:UpdateService#alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod', operation: 'ecs:UpdateService', target: 'alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod',
    before: { taskDefinition: null, desiredCount: 2, runningCount: 0, deploymentId: 'ecs-svc/0000000000000000001' }, intended: { deploymentId: null, taskDefinition: null },
    apply: async () => undefined,
  },
  'llm-budget-guardrail': {
    key: `switch#ssm:PutParameter#${PARAMETER}`, operation: 'ssm:PutParameter', target: PARAMETER, before: 'anthropic.claude-sonnet-4-5-20250929-v1:0', intended: CHEAPER_MODEL,
    apply: async (drill) => { drill.sandbox.state.ssm.parameters[PARAMETER]!.value = CHEAPER_MODEL; },
  },
};

/** The incident admit makes of an input, as it computes it. */
function incidentOf(runbook: RunbookName, input: DrillInput): { id: string; dedupeKey: string; target: string; firedAt: string } {
  if (input.kind === 'eventbridge') {
    const t = parseTrigger(runbook, input.event, triggerOf(runbook));
    return { id: incidentIdFor(t.dedupeKey), dedupeKey: t.dedupeKey, target: t.target, firedAt: t.firedAt };
  }
  const [sns] = unwrapSnsNotification(input.lambdaEvent);
  const alert = parseBudgetNotification(sns!.message);
  const dedupeKey = budgetDedupeKey({ ...alert, timestamp: sns!.timestamp });
  return { id: incidentIdFor(dedupeKey), dedupeKey, target: alert.budgetName, firedAt: sns!.timestamp };
}

/** Writes what an acting run of this incident left, and makes the account match it. */
async function actingRunLeft(runbook: RunbookName, input: DrillInput, left: Left): Promise<void> {
  if (left === 'nothing') return;
  const drill = harness.drill;
  const act = ACT[runbook];
  const incident = incidentOf(runbook, input);
  await drill.ledger.claimIncident({ incidentId: incident.id, runbook, target: incident.target, dedupeKey: incident.dedupeKey, executionArn: ACTING_RUN, summary: 'an acting run', firedAt: incident.firedAt });
  await drill.ledger.recordIntent({ incidentId: incident.id, actionKey: act.key, runbook, operation: act.operation, target: act.target, executionArn: ACTING_RUN, before: act.before, intended: act.intended, parameters: {} });
  if (left === 'failed') await drill.ledger.failAction(incident.id, act.key, 'AwsAccessDenied: not authorized');
  if (left === 'unknown') await drill.ledger.markUnknown(incident.id, act.key, 'AwsUnavailable: TimeoutError');
  if (left === 'in effect' || left === 'undone since') await drill.ledger.completeAction(incident.id, act.key, act.intended);
  if (left === 'in effect') await act.apply(drill);
  await drill.ledger.finishIncident(incident.id, ACTING_RUN, 'failed', 'a later step failed');
}

const RUNBOOKS: readonly RunbookName[] = ['lambda-runaway', 'dynamodb-throttling', 'ecs-service-recovery', 'llm-budget-guardrail'];

test.each(RUNBOOKS)('%s in dry run: no mutating call reaches the account, whatever the ledger holds', async (runbook) => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom(...LEFT), { minLength: 3, maxLength: 3 }), sequenceArbitrary(runbook, 4, { undo: false }), async (left, steps: Step[]) => {
      const drill = harness.drill;
      day += 1;
      sequence += 1;
      await resetAccount(drill, seed);
      for (const [transition, what] of left.entries()) await actingRunLeft(runbook, deliveryOf(eventOf(runbook), sequence * 10 + transition), what);
      const mark = drill.mutationMark();
      for (const step of steps) {
        if (step.kind === 'human') await applyHuman(drill, step.change);
        if (step.kind !== 'deliver') continue;
        for (const f of step.faults) drill.injectFault(faultOf(f));
        await drill.handle(deliveryOf(eventOf(runbook), sequence * 10 + step.transition));
        // The budget adapter starting the guardrail's execution is how the alert arrives, not a change.
        expect(drill.mutationsReceived(mark).filter((m) => !(m.operation === 'StartExecution' && String(m.input.stateMachineArn).endsWith('-llm-budget-guardrail')))).toEqual([]);
      }
    }),
    { numRuns: RUNS_PER_RUNBOOK },
  );
});
