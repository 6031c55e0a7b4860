/**
 * auth-degraded-mode's decisions, pure: whether to degrade (seed 001 D: only with the operator UI
 * firewalled at the ingress), the new task definition with only the auth variable changed, whether
 * a registered revision is that one, and the revert's schedule name and time.
 */
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { sameValue } from '../../lambdas/domain/canonical';

export type AuthDecision = 'degrade' | 'not-firewalled' | 'already-permissive' | 'no-variable' | 'rollout-in-progress';

export interface AuthPlan {
  readonly decision: AuthDecision;
  /** One sentence: why, for the notification. */
  readonly reason: string;
}

export interface AuthFacts {
  readonly service: string;
  /** The target's config fact (seed 001 D: "ONLY do this if your operator UI is firewalled at the Ingress layer"). */
  readonly operatorUiFirewalled: boolean;
  readonly container: string;
  readonly variable: string;
  /** The variable's value in the running task definition's container; undefined when the container or the variable is not there. */
  readonly value: string | undefined;
  readonly containerFound: boolean;
  readonly permissive: string;
  /** The primary deployment's rollout (null when ECS reports none). */
  readonly rolloutState: string | null;
}

export function planDegrade(f: AuthFacts): AuthPlan {
  if (!f.operatorUiFirewalled) {
    return {
      decision: 'not-firewalled',
      reason: `the operator UI of ${f.service} is not firewalled at the ingress (config operatorUiFirewalled: false): seed 001 D allows permissive auth only behind that firewall, so auth stays enforced and nothing was changed; wait for Auth0 to recover, or firewall the operator UI first`,
    };
  }
  if (!f.containerFound) return { decision: 'no-variable', reason: `the running task definition of ${f.service} has no container ${f.container}: nothing was changed` };
  if (f.value === undefined) return { decision: 'no-variable', reason: `container ${f.container} of ${f.service} does not set ${f.variable}: what it enforces is not this runbook's to flip, nothing was changed` };
  if (f.value === f.permissive) return { decision: 'already-permissive', reason: `${f.service} already runs with ${f.variable}=${f.permissive}: nothing was changed (no revert is scheduled by this run)` };
  if (f.rolloutState === 'IN_PROGRESS') return { decision: 'rollout-in-progress', reason: `a deployment of ${f.service} is in progress: a second one now would race it, nothing was changed` };
  return { decision: 'degrade', reason: `${f.variable}=${f.value} -> ${f.permissive} on ${f.service}, its operator UI firewalled at the ingress` };
}

type Registration = RegisterTaskDefinitionCommandInput;
type Container = NonNullable<Registration['containerDefinitions']>[number];

const containerOf = (r: Registration, name: string): Container | undefined => r.containerDefinitions?.find((c) => c.name === name);

/** The variable's value in a container (undefined when the container or the variable is not there). */
export function variableOf(r: Registration, container: string, variable: string): string | undefined {
  return containerOf(r, container)?.environment?.find((e) => e.name === variable)?.value;
}

export const hasContainer = (r: Registration, container: string): boolean => containerOf(r, container) !== undefined;

/** The same registration with one variable of one container set: every other field, secret reference and tag kept as is. */
export function withVariable(r: Registration, container: string, variable: string, value: string): Registration {
  return {
    ...r,
    containerDefinitions: r.containerDefinitions?.map((c) => (c.name !== container ? c : {
      ...c, environment: (c.environment ?? []).map((e) => (e.name === variable ? { ...e, value } : e)),
    })),
  };
}

/** Whether a registered revision is the source with only that variable set to that value (a retry finds its own registration by this). */
export function isDerived(candidate: Registration, source: Registration, container: string, variable: string, value: string): boolean {
  return sameValue(strip(candidate), strip(withVariable(source, container, variable, value)));
}

/** What ECS may answer differently from what was sent without a change: absent lists and tags' order. */
function strip(r: Registration): unknown {
  const tags = [...(r.tags ?? [])].sort((a, b) => String(a.key).localeCompare(String(b.key)));
  return JSON.parse(JSON.stringify({ ...r, tags }));
}

/** One schedule per incident: a re-run or redrive finds it by this name and carries on. */
export const revertScheduleName = (incidentId: string): string => `auth-revert-${incidentId}`;
