import {
  CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, ListTagsForResourceCommand, ResourceNotFoundException,
  type CompositeAlarm, type MetricAlarm, type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, ListTagsOfResourceCommand, ResourceNotFoundException as TableNotFound } from '@aws-sdk/client-dynamodb';
import { ECSClient, ListTagsForResourceCommand as ListServiceTagsCommand } from '@aws-sdk/client-ecs';
import { LambdaClient, ListTagsCommand, ResourceNotFoundException as FunctionNotFound } from '@aws-sdk/client-lambda';
import type { HistoryState } from '../../drill/sandbox/alarm-history';
import type { TagResource } from '../../lambdas/domain/tag-resources';
import { singleMetric, type AlarmConfig, type EventMetric, type Transition } from './events';
import type { HistoryWindow } from './window';

/** How the account is reached: its region, and the sandbox's endpoint and credentials offline. */
export interface AccountAccess {
  readonly region: string;
  readonly profile?: string;
  /** The sandbox (--local). */
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Everything the backtest read from the account: read once, then replayed offline as often as asked. */
export interface AccountRead {
  readonly region: string;
  readonly window: HistoryWindow;
  /** Every StateUpdate of metric and composite alarms in the window, oldest first. */
  readonly transitions: readonly Transition[];
  /** The alarms of the history that still exist, by name (DescribeAlarms). */
  readonly alarms: Readonly<Record<string, AlarmConfig>>;
  /** Tags of the alarms the tag router would read (null: the alarm is gone). */
  readonly alarmTags: Readonly<Record<string, Readonly<Record<string, string>> | null>>;
  /** Tags of the targets admit would read for a tag allowlist, by kind and target key (null: no such resource). */
  readonly targetTags: Readonly<Partial<Record<TagResource, Readonly<Record<string, Readonly<Record<string, string>> | null>>>>>;
  /** Calls made, by IAM action: all of them reads. */
  readonly calls: Readonly<Record<string, number>>;
}

/**
 * Every call the backtest makes to an account, by IAM action: reads only. docs/backtest-policy.json
 * grants these and nothing else (test/iam/backtest-policy.test.ts).
 */
export const READ_ACTIONS = [
  'cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource',
  'lambda:ListTags', 'dynamodb:ListTagsOfResource', 'ecs:ListTagsForResource',
] as const;
export type ReadAction = (typeof READ_ACTIONS)[number];

/** A reader's SDK clients and the count of calls each action took. */
export class AccountReader {
  readonly calls: Record<string, number> = {};
  private readonly config: Record<string, unknown>;
  private cloudwatchClient?: CloudWatchClient;
  private lambdaClient?: LambdaClient;
  private ecsClient?: ECSClient;
  private dynamodbClient?: DynamoDBClient;

  constructor(readonly access: AccountAccess) {
    // The SDK's own retries (standard mode, throttling included) apply to every read.
    this.config = {
      region: access.region,
      ...(access.profile ? { profile: access.profile } : {}),
      ...(access.endpoint ? { endpoint: access.endpoint } : {}),
      ...(access.credentials ? { credentials: access.credentials } : {}),
    };
  }

  private count(action: ReadAction): void {
    this.calls[action] = (this.calls[action] ?? 0) + 1;
  }

  private get cloudwatch(): CloudWatchClient {
    return (this.cloudwatchClient ??= new CloudWatchClient(this.config));
  }

  /** Every StateUpdate in the window, every page, oldest first; how many pages it took. */
  async history(window: HistoryWindow): Promise<Transition[]> {
    const out: Transition[] = [];
    let token: string | undefined;
    do {
      this.count('cloudwatch:DescribeAlarmHistory');
      const page = await this.cloudwatch.send(new DescribeAlarmHistoryCommand({
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], HistoryItemType: 'StateUpdate', ScanBy: 'TimestampAscending',
        StartDate: new Date(window.from), EndDate: new Date(window.to), MaxRecords: 100, NextToken: token,
      }));
      for (const item of page.AlarmHistoryItems ?? []) {
        const t = transitionOf(item);
        if (t) out.push(t);
      }
      token = page.NextToken;
    } while (token);
    return out;
  }

  /** Every alarm of the account that the names include (DescribeAlarms, every page, both types). */
  async alarms(names: ReadonlySet<string>): Promise<Record<string, AlarmConfig>> {
    const out: Record<string, AlarmConfig> = {};
    let token: string | undefined;
    do {
      this.count('cloudwatch:DescribeAlarms');
      const page = await this.cloudwatch.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100, NextToken: token }));
      for (const a of page.MetricAlarms ?? []) if (a.AlarmName && a.AlarmArn && names.has(a.AlarmName)) out[a.AlarmName] = metricAlarmConfig(a);
      for (const a of page.CompositeAlarms ?? []) if (a.AlarmName && a.AlarmArn && names.has(a.AlarmName)) out[a.AlarmName] = compositeAlarmConfig(a);
      token = page.NextToken;
    } while (token);
    return out;
  }

  /** An alarm's tags, as the tag router reads them; null when it no longer exists. */
  async alarmTags(alarmArn: string): Promise<Record<string, string> | null> {
    this.count('cloudwatch:ListTagsForResource');
    try {
      const out = await this.cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn }));
      return Object.fromEntries((out.Tags ?? []).flatMap((t) => (t.Key !== undefined && t.Value !== undefined ? [[t.Key, t.Value]] : [])));
    } catch (e: unknown) {
      if (e instanceof ResourceNotFoundException) return null;
      throw e;
    }
  }

  /** A target's tags, as admit reads them for a tag allowlist (lambdas/shared/target-tags.ts); null when it does not exist. */
  async targetTags(kind: TagResource, arn: string): Promise<Record<string, string> | null> {
    switch (kind) {
      case 'lambda:function': {
        this.count('lambda:ListTags');
        try {
          return { ...(await (this.lambdaClient ??= new LambdaClient(this.config)).send(new ListTagsCommand({ Resource: arn }))).Tags };
        } catch (e: unknown) {
          if (e instanceof FunctionNotFound) return null;
          throw e;
        }
      }
      case 'dynamodb:table': {
        const tags: Record<string, string> = {};
        try {
          let token: string | undefined;
          do {
            this.count('dynamodb:ListTagsOfResource');
            const out = await (this.dynamodbClient ??= new DynamoDBClient(this.config)).send(new ListTagsOfResourceCommand({ ResourceArn: arn, NextToken: token }));
            for (const t of out.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
            token = out.NextToken;
          } while (token);
          return tags;
        } catch (e: unknown) {
          if (e instanceof TableNotFound) return null;
          throw e;
        }
      }
      case 'ecs:service': {
        this.count('ecs:ListTagsForResource');
        try {
          const out = await (this.ecsClient ??= new ECSClient(this.config)).send(new ListServiceTagsCommand({ resourceArn: arn }));
          return Object.fromEntries((out.tags ?? []).filter((t) => t.key !== undefined).map((t) => [t.key!, t.value ?? '']));
        } catch (e: unknown) {
          // ECS answers an unknown service's ARN with these (as lambdas/shared/target-tags.ts reads them).
          if (['ClusterNotFoundException', 'ServiceNotFoundException', 'InvalidParameterException'].includes((e as { name?: string }).name ?? '')) return null;
          throw e;
        }
      }
    }
  }

  close(): void {
    for (const c of [this.cloudwatchClient, this.lambdaClient, this.ecsClient, this.dynamodbClient]) c?.destroy();
  }
}

function isState(v: unknown): v is HistoryState {
  return typeof v === 'object' && v !== null && typeof (v as HistoryState).stateValue === 'string' && typeof (v as HistoryState).stateReason === 'string';
}

/** A StateUpdate item as a transition; an item whose HistoryData is not the JSON CloudWatch writes is left out. */
function transitionOf(item: { AlarmName?: string; AlarmType?: string; Timestamp?: Date; HistoryData?: string }): Transition | undefined {
  if (!item.AlarmName || !item.Timestamp || !item.HistoryData) return undefined;
  let data: { oldState?: unknown; newState?: unknown };
  try {
    data = JSON.parse(item.HistoryData) as typeof data;
  } catch (e: unknown) {
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
  if (!isState(data.oldState) || !isState(data.newState)) return undefined;
  return {
    alarmName: item.AlarmName, alarmType: item.AlarmType === 'CompositeAlarm' ? 'CompositeAlarm' : 'MetricAlarm',
    at: item.Timestamp.toISOString(), from: data.oldState, to: data.newState,
  };
}

const dims = (list: readonly { Name?: string; Value?: string }[] | undefined) =>
  Object.fromEntries((list ?? []).flatMap((d) => (d.Name !== undefined && d.Value !== undefined ? [[d.Name, d.Value]] : [])));

function queryMetric(q: MetricDataQuery): EventMetric {
  const stat = q.MetricStat;
  return {
    id: q.Id ?? '',
    ...(stat?.Metric ? {
      metricStat: {
        metric: { namespace: stat.Metric.Namespace ?? '', name: stat.Metric.MetricName ?? '', dimensions: dims(stat.Metric.Dimensions) },
        ...(stat.Period ? { period: stat.Period } : {}), ...(stat.Stat ? { stat: stat.Stat } : {}),
      },
    } : {}),
    ...(q.Expression ? { expression: q.Expression } : {}),
    ...(q.Label ? { label: q.Label } : {}),
    ...(q.ReturnData === undefined ? {} : { returnData: q.ReturnData }),
  };
}

function metricAlarmConfig(a: MetricAlarm): AlarmConfig {
  const metrics = a.Metrics && a.Metrics.length > 0
    ? a.Metrics.map(queryMetric)
    : [singleMetric(a.AlarmArn!, {
      namespace: a.Namespace ?? '', name: a.MetricName ?? '', dimensions: dims(a.Dimensions),
      ...(a.Period ? { period: a.Period } : {}), ...(a.Statistic ?? a.ExtendedStatistic ? { stat: a.Statistic ?? a.ExtendedStatistic } : {}),
    })];
  return { name: a.AlarmName!, arn: a.AlarmArn!, type: 'MetricAlarm', ...(a.AlarmDescription ? { description: a.AlarmDescription } : {}), metrics };
}

function compositeAlarmConfig(a: CompositeAlarm): AlarmConfig {
  return { name: a.AlarmName!, arn: a.AlarmArn!, type: 'CompositeAlarm', ...(a.AlarmDescription ? { description: a.AlarmDescription } : {}), ...(a.AlarmRule ? { alarmRule: a.AlarmRule } : {}) };
}
