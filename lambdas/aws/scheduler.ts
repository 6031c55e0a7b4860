import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { classifyAwsError, hasErrorName } from '../shared/errors';
import { readsAndMutations } from '../shared/lazy-sdk';
import { schedulerSdk } from '../shared/sdk-modules';

const schedulerClients = (reads?: SchedulerClient, mutations?: SchedulerClient) =>
  readsAndMutations(schedulerSdk, (m, settings) => new m.SchedulerClient(settings), reads, mutations);

/** A one-time schedule that starts a Step Functions state machine, as this system creates it. */
export interface OneTimeSchedule {
  readonly Name: string;
  readonly GroupName: string;
  /** at(yyyy-mm-ddThh:mm:ss), UTC. */
  readonly ScheduleExpression: string;
  readonly Target: { readonly Arn: string; readonly RoleArn: string; readonly Input: string };
  readonly Description?: string;
}

/** What GetSchedule says of one: enough to tell whose it is and when it runs. */
export interface ScheduleView {
  readonly Name: string;
  readonly GroupName: string;
  readonly ScheduleExpression: string;
  readonly State: string;
  readonly TargetArn: string;
  readonly Input: string | null;
}

/** The at() expression EventBridge Scheduler takes for an instant (UTC, to the second). */
export const atExpression = (at: Date): string => `at(${at.toISOString().slice(0, 19)})`;

/** The instant an at() expression names, as ISO UTC ("2026-12-07T02:00:00Z"); any other expression as it is. */
export function atInstant(expression: string): string {
  const m = /^at\((.+)\)$/.exec(expression);
  return m ? `${m[1]}Z` : expression;
}

/**
 * EventBridge Scheduler: one-time schedules, created deleted after they run (ActionAfterCompletion
 * DELETE) with no flexible window, read and deleted by name.
 */
export class ScheduleClient {
  /** CreateSchedule and DeleteSchedule: no SDK retry (see mutation-client.ts). */
  private readonly clients: ReturnType<typeof schedulerClients>;

  constructor(scheduler?: SchedulerClient, mutations?: SchedulerClient) {
    this.clients = schedulerClients(scheduler, mutations);
  }

  /** The schedule, or null when there is none by that name. */
  async get(name: string, group = 'default'): Promise<ScheduleView | null> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.GetScheduleCommand({ Name: name, GroupName: group }));
      return {
        Name: out.Name ?? name, GroupName: out.GroupName ?? group, ScheduleExpression: out.ScheduleExpression ?? '', State: out.State ?? 'ENABLED',
        TargetArn: out.Target?.Arn ?? '', Input: out.Target?.Input ?? null,
      };
    } catch (e: unknown) {
      if (hasErrorName(e, 'ResourceNotFoundException')) return null;
      throw classifyAwsError(e, `scheduler:GetSchedule of ${name}`);
    }
  }

  /** Creates it; `exists` when a schedule by that name exists already (ConflictException): the caller reads whose it is. */
  async create(schedule: OneTimeSchedule): Promise<'created' | 'exists'> {
    try {
      const { m, client } = await this.clients.mutations.get();
      await client.send(new m.CreateScheduleCommand({
        ...schedule, FlexibleTimeWindow: { Mode: 'OFF' }, ActionAfterCompletion: 'DELETE', State: 'ENABLED',
      }));
      return 'created';
    } catch (e: unknown) {
      if (hasErrorName(e, 'ConflictException')) return 'exists';
      throw classifyAwsError(e, `scheduler:CreateSchedule of ${schedule.Name}`);
    }
  }

  /** Deletes it; false when there was none (ResourceNotFoundException: it ran and was deleted, or someone deleted it). */
  async remove(name: string, group = 'default'): Promise<boolean> {
    try {
      const { m, client } = await this.clients.mutations.get();
      await client.send(new m.DeleteScheduleCommand({ Name: name, GroupName: group }));
      return true;
    } catch (e: unknown) {
      if (hasErrorName(e, 'ResourceNotFoundException')) return false;
      throw classifyAwsError(e, `scheduler:DeleteSchedule of ${name}`);
    }
  }
}
