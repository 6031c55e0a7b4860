import type { GatePages, LiveRead } from '../../lambdas/approval/gate-words';
import { listInWords, plural, type GateWordsProvider } from '../../lambdas/approval/words';
import { EcsServiceClient } from '../../lambdas/aws/ecs';
import type { DatabaseDiagnosis } from './handlers/inspect';
import type { MaxConnectionsRead, Redeploy } from './recovery-plan';

let services: EcsServiceClient | undefined;

const plannedOf = (parameters: Readonly<Record<string, unknown>>): Redeploy[] => (Array.isArray(parameters.redeploys) ? parameters.redeploys as Redeploy[] : []);

/** Each planned service now (DescribeServices, read-only): a rollout or a restart by someone else since shows here. */
const liveServices: LiveRead = async (gate) => {
  const client = (services ??= new EcsServiceClient());
  return Promise.all(plannedOf(gate.parameters).map(async ({ cluster, service }) => {
    const now = await client.describe({ cluster, service });
    return { key: `${cluster}/${service}`, runningCount: now.runningCount, desiredCount: now.desiredCount, rolloutState: now.primary?.rolloutState ?? null };
  }));
};

interface ServiceNow {
  readonly key: string;
  readonly runningCount: number;
  readonly desiredCount: number;
  readonly rolloutState: string | null;
}

const inWords = (s: ServiceNow) => `${s.key} runs ${s.runningCount} of ${s.desiredCount} tasks${s.rolloutState ? ` (rollout ${s.rolloutState})` : ''}`;

function servicesNow(live: unknown, d: DatabaseDiagnosis | undefined): string {
  const then = d ? `${d.services.map(inWords).join('; ')} when diagnosed` : 'as diagnosed';
  if (live === undefined) return then;
  const unreadable = (live as { unreadable?: string }).unreadable;
  if (unreadable) return `could not be read just now (${unreadable}); ${then}`;
  return Array.isArray(live) ? (live as ServiceNow[]).map(inWords).join('; ') : then;
}

/** database-recovery's restart gate (seed 004 "Connection Pool Exhausted: restart services", High). */
export const restartApprovalWords: GateWordsProvider = ({ gate, live }) => {
  const evidence = gate.evidence as { diagnosis?: DatabaseDiagnosis; maxConnections?: MaxConnectionsRead } | undefined;
  const order = plannedOf(gate.parameters).map((r) => `${r.cluster}/${r.service}`);
  const limit = evidence?.maxConnections?.summary ? ` ${evidence.maxConnections.summary}.` : '';
  return {
    headline: `Restart the ${plural(order.length, 'service')} that use ${gate.target}, one at a time: ${listInWords(order)}?`,
    now: servicesNow(live, evidence?.diagnosis),
    risk: `${evidence?.diagnosis?.plan.reason ?? `the connections of ${gate.target} are near max_connections`}.${limit} Each forced deployment replaces the service's tasks, so their connection pools open again; requests on the old tasks end as ECS drains them.`,
    approve: 'calls UpdateService (forceNewDeployment) on each service in this order, the next only once the one before has rolled out with every task running; a rollout that fails stops there (escalated). A forced deployment cannot be undone.',
    reject: 'no service is restarted and the run escalates: a human looks at the connections (seed 004: restart services, check max_connections).',
    unanswered: 'no service is restarted',
  };
};

export const GATES: GatePages = { restart: { words: restartApprovalWords, live: liveServices } };
