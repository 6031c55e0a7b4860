/**
 * The page of a procedure no machine should run: which seed procedure the alarm calls for, its
 * steps as the seed writes them, and what the alarm says (its reason, its metrics with their
 * dimensions, when it fired). Pure: the handler reads nothing from AWS.
 */
import * as z from '../../lambdas/shared/zod';
import { SEED_PROCEDURES, type SeedProcedure, type SeedProcedureId } from '../seed-procedures';
import { assumerOf, type StsAssumeRoleEvent } from '../../lambdas/domain/service-events';
import { numbered } from '../../lambdas/approval/words';

/** The page-only procedures this runbook pages for: each has its seed's steps (runbooks/seed-procedures.ts). */
export const PAGE_ONLY_PROCEDURES = ['pod-crashes', 'hpa-thrashing', 'ingress-503', 'drain-celery-worker', 'position-stuck', 'break-glass-assumed'] as const satisfies readonly SeedProcedureId[];
/**
 * The procedures it answers: it pages with their steps too, and first reads their evidence into the
 * page (evidence.ts); a person still runs them (no failover, no isolation by a machine), for this reason.
 */
export const EVIDENCE_PROCEDURES = {
  'nat-instance-down': 'a failover moves private subnets\' egress to another NAT, and a stop and start of the instance moves it off a failed host: each is decided by a person who sees the instance, its routes and what else is broken',
  'unauthorized-access': 'isolating a resource or a principal from denied calls alone could lock out a deploy or an on-call engineer: a person reads who was denied what, from where, and decides what to isolate',
} as const satisfies Partial<Record<SeedProcedureId, string>>;
export type EvidenceProcedure = keyof typeof EVIDENCE_PROCEDURES;
export const EVIDENCE_PROCEDURE_IDS = Object.keys(EVIDENCE_PROCEDURES) as EvidenceProcedure[];
/** Every procedure an alarm may be routed to in config: the page-only ones and the ones with evidence. */
export const PAGED_PROCEDURES = [...PAGE_ONLY_PROCEDURES, ...EVIDENCE_PROCEDURE_IDS] as const satisfies readonly SeedProcedureId[];
export type PagedProcedure = (typeof PAGED_PROCEDURES)[number];

/** Which procedure each configured alarm calls for, by the alarm's name (the handler's ALARM_PROCEDURES). */
export const alarmProceduresSchema = z.record(z.string().check(z.minLength(1)), z.enum(PAGED_PROCEDURES));
export type AlarmProcedures = z.infer<typeof alarmProceduresSchema>;

const metricStat = z.object({
  metric: z.object({ namespace: z.string(), name: z.string(), dimensions: z.optional(z.record(z.string(), z.string())) }),
  period: z.optional(z.number()),
  stat: z.optional(z.string()),
});

/** What the page reads of the CloudWatch Alarm State Change event (EventBridge's documented shape). */
export const alarmStateChangeSchema = z.object({
  resources: z._default(z.array(z.string()), []),
  detail: z.object({
    alarmName: z.string().check(z.minLength(1)),
    state: z.object({ value: z.string(), reason: z.optional(z.string()), reasonData: z.optional(z.string()), timestamp: z.string().check(z.minLength(1)) }),
    configuration: z.optional(z.object({
      description: z.optional(z.string()),
      metrics: z.optional(z.array(z.object({
        id: z.optional(z.string()),
        metricStat: z.optional(metricStat),
        expression: z.optional(z.string()),
        label: z.optional(z.string()),
        returnData: z.optional(z.boolean()),
      }))),
      alarmRule: z.optional(z.string()),
    })),
  }),
});
export type AlarmStateChange = z.infer<typeof alarmStateChangeSchema>;

/** One metric (or expression) the alarm evaluates, as the page shows it. */
export interface AlarmMetric {
  readonly id?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly stat?: string;
  readonly periodSeconds?: number;
  readonly expression?: string;
  readonly label?: string;
}

export type PagedSteps = { readonly id: PagedProcedure; readonly seed: string; readonly title: string; readonly severity?: string; readonly why: string; readonly steps: readonly string[] };

export interface Page {
  readonly procedure: PagedSteps;
  /** What the page is about in a few words (the acknowledgement request names it): the alarm's name. */
  readonly subject: string;
  /** Null: an alarm's page (the state machine keeps both keys of every page). */
  readonly assumption: null;
  readonly alarm: {
    readonly name: string;
    readonly arn?: string;
    readonly state: string;
    readonly firedAt: string;
    readonly reason?: string;
    readonly description?: string;
    readonly metrics: readonly AlarmMetric[];
    /** A composite alarm's rule, in place of metrics. */
    readonly alarmRule?: string;
  };
  /** The page in one reading: the procedure, why a person runs it, the alarm's metric and the numbered steps. */
  readonly summary: string;
}

/** The alarm names no procedure in config: admit allowlists configured alarms only, so this is a stale deployment. */
export class AlarmNotConfigured extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlarmNotConfigured';
  }
}

/** The steps of a page-only procedure (or one this runbook answers with evidence) with its seed's steps, or AlarmNotConfigured for a bundle built before the contract held it to that. */
function pagedSteps(id: PagedProcedure): PagedSteps {
  const p: SeedProcedure = SEED_PROCEDURES[id];
  const why = id in EVIDENCE_PROCEDURES ? EVIDENCE_PROCEDURES[id as EvidenceProcedure] : p.unautomated?.kind === 'page-only' ? p.unautomated.why : undefined;
  if (why === undefined || !p.steps || p.steps.length === 0) throw new AlarmNotConfigured(`seed procedure ${id} is not page-only with its steps`);
  return { id, seed: p.seed, title: p.title, ...(p.severity ? { severity: p.severity } : {}), why, steps: p.steps };
}

function metricsOf(event: AlarmStateChange): AlarmMetric[] {
  return (event.detail.configuration?.metrics ?? []).map((m) => ({
    ...(m.id ? { id: m.id } : {}),
    ...(m.metricStat ? {
      namespace: m.metricStat.metric.namespace, name: m.metricStat.metric.name,
      ...(m.metricStat.metric.dimensions ? { dimensions: m.metricStat.metric.dimensions } : {}),
      ...(m.metricStat.stat ? { stat: m.metricStat.stat } : {}),
      ...(m.metricStat.period !== undefined ? { periodSeconds: m.metricStat.period } : {}),
    } : {}),
    ...(m.expression ? { expression: m.expression } : {}),
    ...(m.label ? { label: m.label } : {}),
  }));
}

/** A metric in words: `ContainerInsights pod_number_of_container_restarts {ClusterName=..., PodName=...} (Sum, 60 s)`, or its expression. */
export function metricInWords(m: AlarmMetric): string {
  if (m.namespace === undefined || m.name === undefined) return `expression ${m.id ? `${m.id} = ` : ''}${m.expression ?? '?'}${m.label ? ` (${m.label})` : ''}`;
  const dims = Object.entries(m.dimensions ?? {}).map(([k, v]) => `${k}=${v}`);
  const how = [m.stat, m.periodSeconds !== undefined ? `${m.periodSeconds} s` : undefined].filter((x) => x !== undefined);
  return `${m.namespace} ${m.name}${dims.length > 0 ? ` {${dims.join(', ')}}` : ''}${how.length > 0 ? ` (${how.join(', ')})` : ''}`;
}

/** The page for an alarm that went to ALARM, by the procedure config names for it. */
export function pageFor(event: AlarmStateChange, procedures: AlarmProcedures): Page {
  const name = event.detail.alarmName;
  const id = procedures[name];
  if (id === undefined) throw new AlarmNotConfigured(`alarm ${name} is not one page-on-call is configured to page for`);
  const procedure = pagedSteps(id);
  const metrics = metricsOf(event);
  const alarmRule = event.detail.configuration?.alarmRule;
  const d = event.detail;
  const alarm: Page['alarm'] = {
    name, ...(event.resources[0] ? { arn: event.resources[0] } : {}), state: d.state.value, firedAt: d.state.timestamp,
    ...(d.state.reason ? { reason: d.state.reason } : {}),
    ...(d.configuration?.description ? { description: d.configuration.description } : {}),
    metrics, ...(alarmRule ? { alarmRule } : {}),
  };
  return { procedure, subject: name, assumption: null, alarm, summary: alarmPageSummary(procedure, alarm) };
}

/** An alarm's page in one reading: the procedure, the alarm and its metric, the evidence read (where there is some), why a person runs it and the numbered steps. */
export function alarmPageSummary(procedure: PagedSteps, alarm: Page['alarm'], evidence?: string): string {
  const measured = alarm.metrics.length > 0 ? alarm.metrics.map(metricInWords).join('; ') : alarm.alarmRule ? `composite rule ${alarm.alarmRule}` : 'no metric in the event';
  return `Seed ${procedure.seed} "${procedure.title}"${procedure.severity ? ` (${procedure.severity})` : ''}: alarm ${alarm.name} went to ${alarm.state} at ${alarm.firedAt} on ${measured}. `
    + `${evidence ? `Evidence: ${evidence} ` : ''}`
    + `No machine runs this procedure: ${procedure.why}. The seed's steps: ${numbered(procedure.steps)}`;
}

/** What a break-glass page says of the assumption: never its credentials, which the record's response may hold. */
export interface Assumption {
  /** AssumeRoleWithSAML (an IAM Identity Center permission set) or AssumeRole. */
  readonly call: string;
  /** The SAML subject, source identity or caller, as the record names them. */
  readonly who: string;
  readonly identityType?: string;
  readonly principalId?: string;
  readonly identityProvider?: string;
  readonly sourceIdentity?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly at: string;
  readonly roleArn: string;
  readonly account?: string;
  readonly region?: string;
  /** The session's ARN (arn:aws:sts::...:assumed-role/<role>/<session>): the one the person must paste into the incident ticket. */
  readonly session?: string;
  readonly eventId: string;
  /** The call was refused: someone tried. */
  readonly errorCode?: string;
}

export interface AssumptionPage {
  readonly procedure: PagedSteps;
  /** The session assumed (the role, where the call failed): the acknowledgement request names it. */
  readonly subject: string;
  readonly alarm: null;
  readonly assumption: Assumption;
  readonly summary: string;
}

/** The page for a break-glass role's assumption: who, from where, when, the session, and seed 000's steps. Reads no credential field. */
export function pageForAssumption(event: StsAssumeRoleEvent): AssumptionPage {
  const d = event.detail;
  const procedure = pagedSteps('break-glass-assumed');
  const sourceIdentity = d.responseElements?.sourceIdentity ?? d.requestParameters.sourceIdentity;
  const session = d.responseElements?.assumedRoleUser?.arn;
  const account = d.recipientAccountId ?? event.account;
  const region = d.awsRegion ?? event.region;
  const assumption: Assumption = {
    call: d.eventName, who: assumerOf(d),
    ...(d.userIdentity.type ? { identityType: d.userIdentity.type } : {}),
    ...(d.userIdentity.principalId ? { principalId: d.userIdentity.principalId } : {}),
    ...(d.userIdentity.identityProvider ? { identityProvider: d.userIdentity.identityProvider } : {}),
    ...(sourceIdentity ? { sourceIdentity } : {}),
    ...(d.sourceIPAddress ? { sourceIp: d.sourceIPAddress } : {}),
    ...(d.userAgent ? { userAgent: d.userAgent } : {}),
    at: d.eventTime, roleArn: d.requestParameters.roleArn,
    ...(account ? { account } : {}), ...(region ? { region } : {}),
    ...(session ? { session } : {}), eventId: d.eventID,
    ...(d.errorCode ? { errorCode: d.errorCode } : {}),
  };
  const how = d.errorCode ? `tried to assume the break-glass role (refused: ${d.errorCode})` : 'assumed the break-glass role';
  const summary = `Seed ${procedure.seed} "${procedure.title}": ${assumption.who} ${how} ${assumption.roleArn}`
    + `${account ? ` in account ${account}` : ''} at ${assumption.at} from ${assumption.sourceIp ?? 'an unrecorded address'}`
    + `${assumption.userAgent ? ` (${assumption.userAgent})` : ''} by ${assumption.call}${session ? `; session ${session}` : ''}`
    + `${assumption.identityProvider ? `; identity provider ${assumption.identityProvider}` : ''}. `
    + `No machine acts on it: ${procedure.why}. The seed's steps: ${numbered(procedure.steps)}`;
  return { procedure, subject: session ?? assumption.roleArn, alarm: null, assumption, summary };
}
