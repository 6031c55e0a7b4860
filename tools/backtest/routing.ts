import { matchesPattern, type EventPattern } from '../../lambdas/domain/event-pattern';
import { RUNBOOK_TAG, TARGET_TAG } from '../../lambdas/domain/routing';
import { alarmEventSchema, alarmTarget } from '../../lambdas/domain/trigger';
import type { TagResource } from '../../lambdas/domain/tag-resources';
import {
  alarmRoutes, literalArns, MODULES, routerPattern, runbookConfig, runbookPolicies, runbookRulePatterns, stateMachineNameOf, triggerHandlers, type Arns, type RunbookMachineRef,
} from '../../lib/catalog';
import type { EnvironmentConfig } from '../../lib/config/schema';

/** Where the stack would be deployed: the account and region the alarms live in. */
export interface Place {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
}

/** The place an alarm ARN names. */
export function placeOf(alarmArn: string): Place {
  const [, partition = 'aws', , region = '', account = ''] = alarmArn.split(':');
  return { partition, account, region };
}

/**
 * What the stack would deploy for an environment, as routing sees it: the EventBridge patterns of
 * each runbook's rules (lib/catalog.ts runbookRulePatterns, the same the stack and the drill use),
 * whether the tag router is deployed, each runbook's state machine, and the tag allowlists admit
 * enforces. Built by the stack's own functions, so a runbook added later is routed as it deploys.
 */
export class DeployedRouting {
  readonly arns: Arns;
  readonly patterns: Readonly<Record<string, readonly EventPattern[]>>;
  readonly machines: readonly RunbookMachineRef[];
  /** The tag router's function, when the stack deploys one (an enabled runbook is started by alarms). */
  readonly hasRouter: boolean;
  private readonly routerPattern: EventPattern;
  private readonly allowlists: ReadonlyMap<string, { resource: TagResource; targets: readonly string[] }>;
  private readonly alarmRunbooks: ReadonlyMap<string, ReturnType<typeof alarmRoutes>[number]>;

  constructor(readonly config: EnvironmentConfig, readonly place: Place) {
    this.arns = literalArns(place.partition, place.region, place.account);
    this.patterns = runbookRulePatterns(config, this.arns);
    this.machines = MODULES.filter((m) => runbookConfig(config, m).enabled).map((m) => {
      const name = stateMachineNameOf(config.environment, m.name);
      return { runbook: m.name, name, arn: this.arns.stateMachine(name) };
    });
    this.hasRouter = triggerHandlers(config, this.arns, this.machines).alarmRouter !== undefined;
    this.routerPattern = routerPattern(config, this.arns);
    const policies = runbookPolicies(config);
    this.allowlists = new Map(Object.entries(policies).flatMap(([runbook, p]) =>
      p.enabled && p.targetTags && p.tagResource ? [[runbook, { resource: p.tagResource, targets: p.targets }] as const] : []));
    this.alarmRunbooks = new Map(alarmRoutes(config, this.arns).map((r) => [r.runbook, r]));
  }

  /** The runbooks whose rules (alarm metric rules, service-event rules) match the event. */
  ruleRunbooks(event: unknown): string[] {
    return Object.entries(this.patterns).filter(([, list]) => list.some((p) => matchesPattern(p, event))).map(([runbook]) => runbook);
  }

  /** The tag router's rule matches every ALARM transition but those routed by name. */
  routerHears(event: unknown): boolean {
    return this.hasRouter && matchesPattern(this.routerPattern, event);
  }

  /** The tag router reads the tags of the ALARM transitions no metric rule routed. */
  routerReadsTags(event: unknown): boolean {
    return this.routerHears(event) && this.ruleRunbooks(event).length === 0;
  }

  /**
   * The targets admit would read the tags of for an event (a runbook allowlists by tag, and the
   * target is not one config names): by its metric rule's dimensions, or by the alarm's tags.
   */
  tagReads(event: unknown, alarmTags: Readonly<Record<string, string>> | null | undefined): { resource: TagResource; target: string }[] {
    const parsed = alarmEventSchema.safeParse(event);
    if (!parsed.success) return [];
    const candidates: { runbook: string; target: string | undefined }[] = this.ruleRunbooks(event).map((runbook) => {
      const route = this.alarmRunbooks.get(runbook)?.trigger.route;
      return { runbook, target: route ? alarmTarget(route, parsed.data) : undefined };
    });
    const tagged = alarmTags?.[RUNBOOK_TAG];
    if (tagged && this.routerReadsTags(event)) {
      const route = this.alarmRunbooks.get(tagged)?.trigger.route;
      candidates.push({ runbook: tagged, target: alarmTags[TARGET_TAG] || (route ? alarmTarget(route, parsed.data) : undefined) });
    }
    return candidates.flatMap(({ runbook, target }) => {
      const allow = this.allowlists.get(runbook);
      return allow && target && !allow.targets.includes(target) ? [{ resource: allow.resource, target }] : [];
    });
  }

  /** The runbook a state machine ARN belongs to. */
  runbookOf(stateMachineArn: string): string | undefined {
    return this.machines.find((m) => m.arn === stateMachineArn)?.runbook;
  }
}

/** A target's ARN, as admit's tag reader builds it from the target key (lambdas/shared/target-tags.ts). */
export function targetArn(place: Place, resource: TagResource, target: string): string {
  const base = `arn:${place.partition}`;
  switch (resource) {
    case 'lambda:function': return `${base}:lambda:${place.region}:${place.account}:function:${target}`;
    case 'dynamodb:table': return `${base}:dynamodb:${place.region}:${place.account}:table/${target}`;
    case 'ecs:service': return `${base}:ecs:${place.region}:${place.account}:service/${target}`;
  }
}
