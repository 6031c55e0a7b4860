import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import * as z from '../shared/zod';
import { checkPolicy, hourBucket, isFlapping, remediationsInWindow, runbookPolicySchema, tagAdmission, type Admission, type RunbookPolicy } from '../domain/admission';
import { switchHold, type SwitchState } from '../domain/switches';
import { CooldownMemory, DEFAULT_COOLDOWN_MEMORY_SECONDS } from './cooldown-memory';
import { AdmissionReader, switchMaxAgeSeconds, type AdmissionReading } from './admission-reader';
import { firstIssue } from '../domain/first-issue';
import { METRIC, type SuppressionReason } from '../domain/metrics';
import { incidentIdFor, parseTrigger, UnroutableEvent, type Trigger } from '../domain/trigger';
import { requireEnv, secondsEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { Ledger, rejectionKey, type Remediation } from '../shared/ledger';
import { BUNDLED_TRIGGERS } from '../shared/runbook-triggers';
import { correlate, logger } from '../shared/logger';
import { count, countSuppressed, type Of } from '../shared/metrics';
import { startEarly, type StartedEarly } from '../shared/started-early';
import { scopeOf, TargetTagReader } from '../shared/target-tags';
import { executionSchema, type Incident } from '../shared/task-input';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
// The switches and each runbook's policy are SSM parameters under this prefix (lambdas/domain/switches.ts).
const parameterPrefix = requireEnv('PARAMETER_PREFIX');
// What starts each runbook is the same in every environment: it comes in the bundle (npm run
// triggers), not the environment.
const triggers = BUNDLED_TRIGGERS;
const admissionReader = new AdmissionReader(parameterPrefix, switchMaxAgeSeconds(process.env.SWITCH_MAX_AGE_SECONDS), new SSMClient({}));
const tagReader = new TargetTagReader();
const cooldowns = new CooldownMemory(ledger, secondsEnv('COOLDOWN_MEMORY_SECONDS', process.env.COOLDOWN_MEMORY_SECONDS, DEFAULT_COOLDOWN_MEMORY_SECONDS));

const inputSchema = z.object({ runbook: z.string().check(z.minLength(1)), event: z.unknown(), execution: executionSchema });

export type AdmitDecision = 'admit' | 'duplicate' | 'cooldown' | 'paused' | 'flapping' | 'capped' | 'reject';
export interface AdmitResult {
  decision: AdmitDecision;
  reason: string;
  /** The switches as read for this event (null when admit stopped before reading them). */
  switches: SwitchState | null;
  /** Plan instead of act (the environment's or the runbook's dry run). */
  dryRun: boolean;
  /** null when the event could not be read as an incident. */
  incident: Incident | null;
}

function toIncident(runbook: string, trigger: Trigger): Incident {
  return {
    id: incidentIdFor(trigger.dedupeKey), runbook, target: trigger.target, summary: trigger.summary,
    firedAt: trigger.firedAt, source: trigger.source, ...(trigger.budget ? { budget: trigger.budget } : {}),
  };
}

/**
 * Admit: the gate before any runbook reads or changes anything. It turns the event into an
 * incident, then stops it when the event is not ours, the target is not configured, the same
 * alarm transition (budget alert, service event) was already handled (EventBridge delivers at least once), automation or this
 * runbook is switched off, or the target is cooling down after a recent remediation.
 */
export const handler = taskHandler(inputSchema, async (input, context): Promise<AdmitResult> => counted({ runbook: input.runbook, executionArn: input.execution.id }, await admit(input, context)));

/** What admit decided, as a metric: admitted, or suppressed with its reason. */
function counted(execution: Of, result: AdmitResult): AdmitResult {
  const of = { ...execution, incidentId: result.incident?.id };
  if (result.decision === 'admit') count(METRIC.admitted, of);
  // A reject without an incident is an event that could not be read as one; with one, a target not configured (or not tagged).
  else countSuppressed(of, result.decision === 'reject' ? (result.incident === null ? 'rejected-input' : 'unconfigured') : SUPPRESSED_AS[result.decision]);
  return result;
}

const SUPPRESSED_AS: Readonly<Record<Exclude<AdmitDecision, 'admit' | 'reject'>, SuppressionReason>> = {
  duplicate: 'duplicate', cooldown: 'cooldown', paused: 'paused', flapping: 'flapping', capped: 'cap',
};

async function admit({ runbook, event, execution }: z.infer<typeof inputSchema>, context: Context): Promise<AdmitResult> {
  let trigger: Trigger;
  try {
    trigger = parseTrigger(runbook, event, triggers[runbook]);
  } catch (e: unknown) {
    if (!(e instanceof UnroutableEvent)) throw e;
    // No incident to claim, but never dropped: the ledger keeps the rejection under the execution (a write that fails is retried).
    const rejected = incidentIdFor(rejectionKey(execution.id));
    correlate({ incidentId: rejected });
    await ledger.recordRejection({
      incidentId: rejected, runbook, executionArn: execution.id, reason: e.message,
      summary: `${eventKind(event)} rejected at admission`, redriveCount: execution.redriveCount ?? 0,
    });
    return { decision: 'reject', reason: e.message, incident: null, switches: null, dryRun: false };
  }
  const incident = toIncident(runbook, trigger);
  correlate({ incidentId: incident.id });
  logger.appendKeys({ runbook, target: incident.target });
  // Read while the claim is in flight (both are usually needed; a warm container answers from
  // what it kept). Its failure counts only if the gates below get to it: raised there, not before.
  const parametersRead = startEarly(admissionReader.read(runbook));

  const claim = await ledger.claimIncident({
    incidentId: incident.id, runbook, target: incident.target, dedupeKey: trigger.dedupeKey,
    executionArn: execution.id, summary: trigger.summary, firedAt: trigger.firedAt, redriveCount: execution.redriveCount ?? 0,
  });
  if (!claim.claimed) {
    // A failed incident is a new chance to act, except while its undo runs (the two would undo each other).
    const undoing = claim.existing.status === 'failed' && claim.existing.undoStatus === 'undoing';
    return {
      decision: 'duplicate', incident, switches: null, dryRun: false,
      reason: undoing
        ? `its undo ${claim.existing.undoExecutionArn ?? ''} is running; delivered again once it has finished, the transition is acted on`
        : `already handled by ${claim.existing.executionArn} (${claim.existing.status})`,
    };
  }

  try {
    return await gate(runbook, incident, trigger, context.invokedFunctionArn, parametersRead);
  } catch (e: unknown) {
    // The incident is claimed: leave it failed, not admitted, so a new execution may take it over.
    const reason = `admit failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    await ledger.finishIncident(incident.id, execution.id, 'failed', reason, execution.redriveCount).catch((finishError: unknown) => {
      // Admit's error is the one to raise: a retry reclaims the incident, and if the execution fails its notifier marks it failed.
      logger.error('Could not mark the incident failed after admit failed', { error: String(finishError), reason });
    });
    throw e;
  }
}

/** What the input says it is, for the record of a rejected one: "CloudWatch Alarm State Change event from aws.cloudwatch", or "input". */
function eventKind(event: unknown): string {
  const head = typeof event === 'object' && event !== null ? event as { source?: unknown; 'detail-type'?: unknown } : {};
  return typeof head.source === 'string' && typeof head['detail-type'] === 'string' ? `${head['detail-type']} event from ${head.source}`.slice(0, 200) : 'input';
}

const NEW_WHAT: Readonly<Record<Trigger['kind'], string>> = {
  alarm: 'alarm transition', budget: 'budget alert', event: 'service event', manual: 'manual start',
};

/**
 * The flapping rail over the target's remediation history (as the cooldown claim found it). Only
 * when it would hold are the counted incidents read: those that ended `skipped` (nothing to do)
 * changed nothing and do not count.
 */
async function flappingOf(history: readonly Remediation[], incident: Incident, now: Date, rule: { maxRemediations: number; windowMinutes: number }) {
  const window = remediationsInWindow(history, incident.id, now, rule.windowMinutes);
  if (window.incidents.length < rule.maxRemediations) return isFlapping(window, rule.maxRemediations);
  const ended = await Promise.all(window.incidents.map(async (id) => ({ id, status: (await ledger.getIncident(id))?.status })));
  return isFlapping(window, rule.maxRemediations, new Set(ended.filter((e) => e.status === 'skipped').map((e) => e.id)));
}

/** The gates after the claim: allowlist, switches, cooldown, flapping, the hourly cap. */
async function gate(
  runbook: string, incident: Incident, { kind, everyOccurrence }: Pick<Trigger, 'kind' | 'everyOccurrence'>, invokedFunctionArn: string, parametersRead: StartedEarly<AdmissionReading>,
): Promise<AdmitResult> {
  const read = await parametersRead.result();
  const rule = policyOf(read);
  // The stack writes a policy for each runbook it deploys here.
  if (!rule) return { decision: 'reject', reason: `runbook ${runbook} is not configured in this environment (no ${read.policyParameter})`, incident, switches: null, dryRun: false };
  let policy: Admission = checkPolicy(rule, runbook, incident.target);
  if (policy.decision === 'check-tags') {
    // Not named in config: allowed only if the resource carries the configured tags.
    policy = tagAdmission(runbook, incident.target, policy.required, await tagReader.read(policy.resource, incident.target, scopeOf(invokedFunctionArn)));
  }
  if (policy.decision === 'reject') return { decision: 'reject', reason: policy.reason, incident, switches: null, dryRun: false };

  const state = read.switches;
  const hold = switchHold(runbook, read.switchNames, state);
  if (hold) return { decision: 'paused', reason: hold, incident, switches: state, dryRun: false };

  // An event whose every occurrence must reach a person (a break-glass assumption) is held by no
  // cooldown or flapping rail. Otherwise the cooldown's claim records the remediation in the
  // target's history and returns the history before it, in one write.
  const cooldown = everyOccurrence ? undefined : await cooldowns.claim(runbook, incident.target, incident.id, rule.cooldownMinutes * 60_000);
  if (cooldown && !cooldown.granted) {
    return {
      decision: 'cooldown', incident, switches: state, dryRun: false,
      reason: `${incident.target} was remediated by ${cooldown.heldBy}; cooling down until ${cooldown.until}`,
    };
  }

  // Safety rails: a target remediated again and again is flapping, and a runbook that has
  // already acted many times this hour is touching more than anyone meant it to. A held
  // incident changed nothing: its entry leaves the history (the cooldown stays held).
  const now = new Date();
  const flapping = cooldown ? await flappingOf(cooldown.history, incident, now, rule.flapping) : { flapping: false as const };
  if (flapping.flapping) {
    await ledger.forgetRemediation(runbook, incident.target, incident.id);
    return {
      decision: 'flapping', incident, switches: state, dryRun: false,
      reason: `${incident.target} was remediated ${flapping.count} times since ${flapping.since} (limit ${rule.flapping.maxRemediations} in ${rule.flapping.windowMinutes} min): flapping, held for a human`,
    };
  }
  const slot = await ledger.claimHourlySlot(runbook, hourBucket(now), incident.id, rule.maxRemediationsPerHour);
  if (!slot.granted) {
    if (cooldown) await ledger.forgetRemediation(runbook, incident.target, incident.id);
    return {
      decision: 'capped', incident, switches: state, dryRun: false,
      reason: `${runbook} already started ${rule.maxRemediationsPerHour} remediations this hour (the configured cap): held for a human`,
    };
  }
  if (!cooldown) await ledger.recordRemediation(runbook, incident.target, incident.id);
  const how = rule.targets.includes(incident.target) ? 'a configured target' : 'a target allowlisted by tag';
  return { decision: 'admit', reason: `new ${NEW_WHAT[kind]} on ${how}`, incident, switches: state, dryRun: rule.dryRun };
}

/** A policy parameter that does not hold a policy (edited by hand): admit fails naming it, and nothing acts. */
export class PolicyInvalid extends Error {
  override readonly name = 'PolicyInvalid';
}

/** Parsed once per text this container has read (a runbook's policy changes only with a deploy). */
const parsedPolicies = new Map<string, RunbookPolicy>();

function policyOf(read: AdmissionReading): RunbookPolicy | null {
  if (read.policy === null) return null;
  const known = parsedPolicies.get(read.policy);
  if (known) return known;
  let raw: unknown;
  try {
    raw = JSON.parse(read.policy);
  } catch {
    throw new PolicyInvalid(`${read.policyParameter} is not JSON: write it again with a deploy`);
  }
  const parsed = runbookPolicySchema.safeParse(raw);
  if (!parsed.success) throw new PolicyInvalid(`${read.policyParameter} is not an admission policy (${firstIssue(parsed.error)}): write it again with a deploy`);
  parsedPolicies.set(read.policy, parsed.data);
  return parsed.data;
}
