import { evaluateAlarms } from './alarm-evaluation';
import { AwsError } from './aws-error';
import { getMetricData } from './cloudwatch-metrics';
import { epochSeconds } from './common';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import { arn, type AccountState, type AlarmState } from './state';

/** CloudWatch (JSON 1.0, query-compatible errors): DescribeAlarms, alarm tags, and GetMetricData (cloudwatch-metrics.ts). */

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
    Statistic: a.statistic,
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

export const cloudWatchModel: ServiceModel = {
  protocol: 'awsJson1_0',
  target: 'GraniteServiceVersion20100801',
  queryCompatible: true,
  operations: {
    DescribeAlarms: { mutating: false, run: describeAlarms },
    ListTagsForResource: { mutating: false, run: listTagsForResource },
    GetMetricData: { mutating: false, run: getMetricData },
  },
};
