import { evaluateAlarms } from './alarm-evaluation';
import { ALARM_TYPES, HISTORY_ITEM_TYPES, historyPage, historyValidationError, SCAN_BY } from './alarm-history';
import { AwsError } from './aws-error';
import { getMetricData } from './cloudwatch-metrics';
import { epochSeconds } from './common';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import { arn, type AccountState, type AlarmState } from './state';

/** CloudWatch (JSON 1.0, query-compatible errors): DescribeAlarms, DescribeAlarmHistory, alarm tags, and GetMetricData (cloudwatch-metrics.ts). */

const missingParameter = (member: string) =>
  new AwsError('MissingRequiredParameterException', 400, `The parameter ${member} is required.`, { queryCode: 'MissingParameter' });
const invalidValue = (message: string) =>
  new AwsError('InvalidParameterValueException', 400, message, { queryCode: 'InvalidParameterValue' });
const alarmNotFound = (name: string) =>
  new AwsError('ResourceNotFoundException', 404, `Alarm ${name} does not exist.`, {
    messageField: 'Message',
    fields: { ResourceType: 'Alarm', ResourceId: name },
  });

function metricAlarm(state: AccountState, name: string, a: AlarmState): Output {
  return {
    AlarmName: name,
    AlarmArn: arn.alarm(state, name),
    AlarmDescription: a.description,
    AlarmConfigurationUpdatedTimestamp: epochSeconds(a.stateUpdatedAt),
    ActionsEnabled: true,
    OKActions: a.okActions,
    AlarmActions: a.alarmActions,
    InsufficientDataActions: [],
    StateValue: a.stateValue,
    StateReason: a.stateReason,
    StateUpdatedTimestamp: epochSeconds(a.stateUpdatedAt),
    StateTransitionedTimestamp: epochSeconds(a.stateUpdatedAt),
    MetricName: a.metricName,
    Namespace: a.namespace,
    ...(a.statistic.startsWith('p') ? { ExtendedStatistic: a.statistic } : { Statistic: a.statistic }),
    Dimensions: Object.entries(a.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Period: a.period,
    EvaluationPeriods: a.evaluationPeriods,
    DatapointsToAlarm: a.evaluationPeriods,
    Threshold: a.threshold,
    ComparisonOperator: a.comparisonOperator,
    TreatMissingData: a.treatMissingData,
  };
}

async function describeAlarms(input: Input, ctx: ServiceContext): Promise<Output> {
  const { state } = ctx;
  const fields = new Fields(input, missingParameter);
  const names = fields.optStrings('AlarmNames');
  const prefix = fields.optString('AlarmNamePrefix');
  if (names !== undefined && prefix !== undefined) {
    throw new AwsError('InvalidParameterCombinationException', 400, 'AlarmNamePrefix and AlarmNames cannot be specified together.', {
      queryCode: 'InvalidParameterCombination',
    });
  }
  if (names !== undefined && names.length > 100) throw invalidValue('AlarmNames can have at most 100 members.');
  const stateValue = fields.optString('StateValue');
  const types = fields.optStrings('AlarmTypes') ?? ['MetricAlarm'];
  const selected = <A extends { stateValue: string }>(type: string, all: Record<string, A>): [string, A][] =>
    types.includes(type)
      ? Object.entries(all).filter(
          ([name, a]) =>
            (names === undefined || names.includes(name)) &&
            (prefix === undefined || name.startsWith(prefix)) &&
            (stateValue === undefined || a.stateValue === stateValue),
        )
      : [];
  // Alarms follow the modelled resources; each read sees them as they are now.
  await evaluateAlarms(ctx);
  const alarms = selected('MetricAlarm', state.cloudwatch.alarms);
  const composites = selected('CompositeAlarm', state.cloudwatch.compositeAlarms);
  return {
    MetricAlarms: alarms.map(([name, a]) => metricAlarm(state, name, a)),
    CompositeAlarms: composites.map(([name, a]) => ({
      AlarmName: name, AlarmArn: arn.alarm(state, name), AlarmDescription: a.description, AlarmRule: a.alarmRule,
      StateValue: a.stateValue, StateReason: a.stateReason, StateUpdatedTimestamp: epochSeconds(a.stateUpdatedAt),
      AlarmActions: a.alarmActions, ActionsEnabled: true,
    })),
  };
}

function listTagsForResource(input: Input, { state }: ServiceContext): Output {
  const resourceArn = new Fields(input, missingParameter).string('ResourceARN');
  const m = /^arn:aws:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/.exec(resourceArn);
  const name = m?.[3];
  if (name === undefined) throw invalidValue(`Invalid ARN: ${resourceArn}`);
  const inAccount = m?.[1] === state.region && m[2] === state.accountId;
  const alarm = inAccount ? (state.cloudwatch.alarms[name] ?? state.cloudwatch.compositeAlarms[name]) : undefined;
  if (alarm === undefined) throw alarmNotFound(name);
  return { Tags: Object.entries(alarm.tags).map(([Key, Value]) => ({ Key, Value })) };
}

/** A timestamp member: epoch seconds on the JSON wire (an ISO string is read too). */
function optDate(input: Input, name: string): Date | undefined {
  const raw = input[name];
  if (raw === undefined || raw === null) return undefined;
  const ms = typeof raw === 'number' ? raw * 1000 : typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(ms)) throw historyValidationError(name.charAt(0).toLowerCase() + name.slice(1), 'Member must be a timestamp', raw);
  return new Date(ms);
}

function oneOf<T extends string>(value: string | undefined, member: string, allowed: readonly T[]): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
  throw historyValidationError(member, `Member must satisfy enum value set: [${allowed.join(', ')}]`, value);
}

function describeAlarmHistory(input: Input, ctx: ServiceContext): Output {
  const fields = new Fields(input, missingParameter);
  const alarmName = fields.optString('AlarmName');
  if (alarmName !== undefined && (alarmName.length < 1 || alarmName.length > 255)) {
    throw historyValidationError('alarmName', 'Member must have length between 1 and 255', alarmName);
  }
  const alarmTypes = fields.optStrings('AlarmTypes') ?? ['MetricAlarm'];
  for (const t of alarmTypes) oneOf(t, 'alarmTypes', ALARM_TYPES);
  const historyItemType = oneOf(fields.optString('HistoryItemType'), 'historyItemType', HISTORY_ITEM_TYPES);
  const scanBy = oneOf(fields.optString('ScanBy'), 'scanBy', SCAN_BY) ?? 'TimestampDescending';
  const maxRecords = fields.optInt('MaxRecords');
  const nextToken = fields.optString('NextToken');
  const startDate = optDate(input, 'StartDate');
  const endDate = optDate(input, 'EndDate');
  const page = historyPage(ctx.state, {
    alarmTypes, scanBy,
    ...(alarmName === undefined ? {} : { alarmName }), ...(historyItemType === undefined ? {} : { historyItemType }),
    ...(startDate ? { startDate } : {}), ...(endDate ? { endDate } : {}),
    ...(maxRecords === undefined ? {} : { maxRecords }), ...(nextToken === undefined ? {} : { nextToken }),
  }, ctx.now());
  return {
    AlarmHistoryItems: page.items.map((item) => ({
      AlarmName: item.alarmName, AlarmType: item.alarmType, Timestamp: epochSeconds(item.timestamp),
      HistoryItemType: item.historyItemType, HistorySummary: item.historySummary, HistoryData: item.historyData,
    })),
    ...(page.nextToken ? { NextToken: page.nextToken } : {}),
  };
}

export const cloudWatchModel: ServiceModel = {
  protocol: 'awsJson1_0',
  target: 'GraniteServiceVersion20100801',
  queryCompatible: true,
  operations: {
    DescribeAlarms: { mutating: false, run: describeAlarms },
    DescribeAlarmHistory: { mutating: false, run: describeAlarmHistory },
    ListTagsForResource: { mutating: false, run: listTagsForResource },
    GetMetricData: { mutating: false, run: getMetricData },
  },
};
