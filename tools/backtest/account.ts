import type { EnvironmentConfig } from '../../lib/config/schema';
import type { TagResource } from '../../lambdas/domain/tag-resources';
import { alarmStateChangeEvent, type Transition } from './events';
import type { AccountRead, AccountReader } from './read';
import { DeployedRouting, placeOf, targetArn, type Place } from './routing';
import type { HistoryWindow } from './window';

/** The ALARM transitions of alarms that still exist, each as the event EventBridge delivered, in time order. */
export interface AlarmEvent {
  readonly transition: Transition;
  readonly event: Record<string, unknown>;
}

/** Each transition to ALARM of an alarm DescribeAlarms still knows, rebuilt as its event; the previous state's time from the history read. */
export function alarmEvents(read: Pick<AccountRead, 'transitions' | 'alarms' | 'region'>): AlarmEvent[] {
  const enteredAt = new Map<string, string>();
  const out: AlarmEvent[] = [];
  for (const t of read.transitions) {
    const alarm = read.alarms[t.alarmName];
    if (t.to.stateValue === 'ALARM' && alarm) out.push({ transition: t, event: alarmStateChangeEvent(t, alarm, read.region, enteredAt.get(t.alarmName)) });
    enteredAt.set(t.alarmName, t.at);
  }
  return out;
}

/** The account and partition the alarms live in (every alarm ARN names them), when any alarm of the history still exists. */
export function placeOfRead(read: Pick<AccountRead, 'alarms'>): Place | undefined {
  const first = Object.values(read.alarms)[0];
  return first ? placeOf(first.arn) : undefined;
}

/**
 * Reads what a replay needs, and nothing else, all of it read-only: the history of the window
 * (every page), the configuration of its alarms, the tags of the alarms the tag router would read
 * (no metric rule of any of the configurations routes them), and the tags of the targets admit
 * would read for a tag allowlist.
 */
export async function readAccount(reader: AccountReader, window: HistoryWindow, configs: readonly EnvironmentConfig[]): Promise<AccountRead> {
  const transitions = await reader.history(window);
  const alarms = transitions.length === 0 ? {} : await reader.alarms(new Set(transitions.map((t) => t.alarmName)));
  const region = reader.access.region;
  const events = alarmEvents({ transitions, alarms, region });
  const place = placeOfRead({ alarms });
  const alarmTags: Record<string, Record<string, string> | null> = {};
  const targetTags: Partial<Record<TagResource, Record<string, Record<string, string> | null>>> = {};
  if (place) {
    const routings = configs.map((c) => new DeployedRouting(c, place));
    for (const { transition, event } of events) {
      const name = transition.alarmName;
      if (name in alarmTags || !routings.some((r) => r.routerReadsTags(event))) continue;
      alarmTags[name] = await reader.alarmTags(alarms[name]!.arn);
    }
    for (const { transition, event } of events) {
      for (const { resource, target } of routings.flatMap((r) => r.tagReads(event, alarmTags[transition.alarmName]))) {
        const kind = (targetTags[resource] ??= {});
        if (!(target in kind)) kind[target] = await reader.targetTags(resource, targetArn(place, resource, target));
      }
    }
  }
  return { region, window, transitions, alarms, alarmTags, targetTags, calls: { ...reader.calls } };
}
