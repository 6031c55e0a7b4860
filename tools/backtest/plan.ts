import * as fs from 'node:fs';
import * as path from 'node:path';
import { approversAt, deadlineSeconds, LEVELS } from '../../lambdas/domain/approval';
import { approvalGates, approvalPolicy, MODULES, type AnyRunbook } from '../../lib/catalog';
import type { EnvironmentConfig } from '../../lib/config/schema';

/**
 * What an admitted incident would have gone on to do, from the runbook's own definition: its first
 * mutating call (its module's drill.calls, which the contract suite checks against a drill of the
 * runbook), the approvals its gates ask and the state transitions its deployed ASL takes. It is the
 * runbook's plan, not a read of the account as it was then: a runbook that finds its target already
 * changed, gone or unhealthy for another reason escalates or stops instead.
 */

const STATEMACHINES = path.join(__dirname, '..', '..', 'statemachines');
/** Standard workflows: $0.025 per 1,000 state transitions (the list price bench/drill-figures.ts uses). */
export const USD_PER_TRANSITION = 0.025 / 1000;

export interface FirstAction {
  /** service:Operation, as the ledger and the drill name it. */
  readonly call: string;
  /** The state that makes it. */
  readonly state: string;
}

/** A runbook's first mutating call, from its module. */
export function firstAction(module: AnyRunbook): FirstAction | undefined {
  const first = module.drill.calls.find((c) => c.mutates);
  return first?.state ? { call: first.call, state: first.state } : undefined;
}

export const moduleOf = (runbook: string): AnyRunbook | undefined => MODULES.find((m) => m.name === runbook);

interface State {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: readonly ChoiceRule[];
  readonly Parameters?: { readonly Payload?: { readonly outcome?: string } };
}
interface ChoiceRule {
  readonly Variable?: string;
  readonly StringEquals?: string;
  readonly BooleanEquals?: boolean;
  readonly IsPresent?: boolean;
  readonly And?: readonly ChoiceRule[];
  readonly Or?: readonly ChoiceRule[];
  readonly Not?: ChoiceRule;
  readonly Next?: string;
}
interface Definition { readonly StartAt: string; readonly States: Readonly<Record<string, State>> }

const definitions = new Map<string, Definition>();
function definitionOf(runbook: string): Definition {
  let d = definitions.get(runbook);
  if (!d) definitions.set(runbook, d = JSON.parse(fs.readFileSync(path.join(STATEMACHINES, `${runbook}.asl.json`), 'utf8')) as Definition);
  return d;
}

function valueAt(input: unknown, variable: string): unknown {
  return variable.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), input);
}

function holds(rule: ChoiceRule, input: unknown): boolean {
  if (rule.And) return rule.And.every((r) => holds(r, input));
  if (rule.Or) return rule.Or.some((r) => holds(r, input));
  if (rule.Not) return !holds(rule.Not, input);
  if (rule.Variable === undefined) return false;
  const v = valueAt(input, rule.Variable);
  if (rule.IsPresent !== undefined) return (v !== undefined) === rule.IsPresent;
  if (rule.StringEquals !== undefined) return v === rule.StringEquals;
  if (rule.BooleanEquals !== undefined) return v === rule.BooleanEquals;
  return false;
}

/**
 * States entered from StartAt to the end when admit decides `decision` and it is not admitted: the
 * prologue's Choice reads only $.admission.decision, so the path is exact (Task retries aside).
 */
export function suppressedTransitions(runbook: string, decision: string): number {
  const d = definitionOf(runbook);
  const input = { admission: { decision } };
  let name: string | undefined = d.StartAt;
  let count = 0;
  while (name !== undefined && count < 100) {
    const state: State | undefined = d.States[name];
    if (!state) break;
    count++;
    if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') return count;
    name = state.Type === 'Choice' ? (state.Choices?.find((r) => holds(r, input))?.Next ?? state.Default) : state.Next;
  }
  throw new Error(`${runbook}.asl.json: no end reached for an admission of ${decision}`);
}

/** A Choice rule that sends a dry run its own way ($.admission.dryRun, or a step's `planned`). */
const isDryRunRule = (r: ChoiceRule) => r.BooleanEquals === true && r.Variable !== undefined && (r.Variable === '$.admission.dryRun' || /\.planned$/.test(r.Variable));

/**
 * States entered on the shortest path from StartAt through the runbook's first mutating state to
 * its end: remediated when acting, the plan's notification in a dry run; for a runbook that only
 * reads and pages (drill.ends escalated), its page, in a dry run too. Each loop (a rollout
 * polled, an alarm awaited) and each approval escalation adds its states per round, so this is the
 * least an admitted incident costs; Task retries are not counted either.
 */
export function admittedTransitions(runbook: string, dryRun: boolean): number {
  const d = definitionOf(runbook);
  const through = firstAction(moduleOf(runbook)!)?.state;
  const ends = moduleOf(runbook)!.drill.ends ?? 'remediated';
  // An acting runbook's dry run plans and notifies that; one that only pages pages in a dry run too.
  const needsOutcome = !dryRun || ends !== 'remediated';
  const edges = (state: State): string[] => {
    if (state.Type !== 'Choice') return state.Next ? [state.Next] : [];
    const rules = state.Choices ?? [];
    const planned = rules.filter(isDryRunRule);
    if (dryRun && planned.length > 0) return planned.map((r) => r.Next!);
    return [...rules.filter((r) => !isDryRunRule(r)).map((r) => r.Next!), ...(state.Default ? [state.Default] : [])];
  };
  // The end of the run (after its last notification, the report step): reached, acting, only after notifying its outcome (`remediated`).
  const isEnd = (state: State) => state.End === true || state.Type === 'Succeed';
  const remediates = (state: State) => state.Parameters?.Payload?.outcome === ends;
  // Breadth first over (state, passed the mutating state yet, notified remediated yet): the first end reached is the shortest path.
  type Step = { name: string; passed: boolean; remediated: boolean; length: number };
  const keyOf = (x: Omit<Step, 'length'>) => `${x.name}|${x.passed}|${x.remediated}`;
  const first = d.States[d.StartAt];
  const start: Step = { name: d.StartAt, passed: d.StartAt === through, remediated: first !== undefined && remediates(first), length: 1 };
  const queue = [start];
  const seen = new Set([keyOf(start)]);
  while (queue.length > 0) {
    const { name, passed, remediated, length } = queue.shift()!;
    const state = d.States[name];
    if (!state) continue;
    if (isEnd(state) && (passed || through === undefined) && (!needsOutcome || remediated)) return length;
    for (const next of edges(state)) {
      const nextState = d.States[next];
      const step = { name: next, passed: passed || next === through, remediated: remediated || (nextState !== undefined && remediates(nextState)) };
      if (seen.has(keyOf(step))) continue;
      seen.add(keyOf(step));
      queue.push({ ...step, length: length + 1 });
    }
  }
  throw new Error(`${runbook}.asl.json: no ${dryRun ? 'dry-run' : 'remediated'} end is reached through "${through ?? '(none)'}"`);
}

/** One level of an approval request: who is asked, when, and until when. */
export interface ApprovalLevel {
  readonly level: string;
  readonly approvers: readonly string[];
  readonly askedAt: string;
  readonly deadline: string;
}

/** The approvals one gated step of an admitted incident would have asked, if nobody answered (the escalation schedule). */
export interface ApprovalPlan {
  readonly gate: string;
  readonly severity: string;
  readonly requiredApprovals: number;
  /** Nobody asked: no approver is required here (approved at once, recorded so), or a dry run (the gate asks nobody). */
  readonly notAsked?: 'no approver required' | 'dry run';
  readonly levels: readonly ApprovalLevel[];
  /** What happens after the last level's deadline: the gate's onTimeout. */
  readonly afterLastLevel: 'abort' | 'proceed';
}

/**
 * The approvals an admitted incident's gates would ask (config approvals and the gate's severity):
 * L1 at the incident's time with the severity's deadline, then, if nobody decided, L2 and L3 (each
 * level's request also reaches the levels below), then the gate's onTimeout. A gate placed after
 * the first change is asked only if the run gets there (the run's own checks decide).
 */
export function approvalPlans(config: EnvironmentConfig, runbook: string, at: string, dryRun: boolean): ApprovalPlan[] {
  const policy = approvalPolicy(config);
  return Object.entries(approvalGates(config)).filter(([key]) => key.startsWith(`${runbook}/`) && key !== `${runbook}/undo`).map(([gate, g]) => {
    const notAsked = dryRun ? 'dry run' as const : g.requiredApprovals === 0 ? 'no approver required' as const : undefined;
    const step = deadlineSeconds(policy, g.severity) * 1000;
    const levels = notAsked ? [] : LEVELS.map((level, i) => ({
      level, approvers: approversAt(policy, level),
      askedAt: new Date(Date.parse(at) + i * step).toISOString(), deadline: new Date(Date.parse(at) + (i + 1) * step).toISOString(),
    }));
    return { gate, severity: g.severity, requiredApprovals: g.requiredApprovals, ...(notAsked ? { notAsked } : {}), levels, afterLastLevel: g.onTimeout };
  });
}
