import { CloudWatchClient, DescribeAlarmsCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import type { AlarmReading, AlarmStateValue } from '../domain/verification';
import { classifyAwsError } from '../shared/errors';

const STATES: readonly StateValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

/** Reads one alarm's current state, metric or composite; null when no alarm has that name. */
export class AlarmClient {
  constructor(private readonly cloudwatch: CloudWatchClient = new CloudWatchClient({})) {}

  async read(alarmName: string): Promise<AlarmReading | null> {
    let out;
    try {
      out = await this.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    } catch (e: unknown) {
      throw classifyAwsError(e, `cloudwatch:DescribeAlarms on ${alarmName}`);
    }
    const metric = out.MetricAlarms?.find((a) => a.AlarmName === alarmName);
    const composite = out.CompositeAlarms?.find((a) => a.AlarmName === alarmName);
    const found = metric ?? composite;
    if (found === undefined) return null;
    const state = found.StateValue;
    if (state === undefined || !STATES.includes(state)) throw new Error(`cloudwatch:DescribeAlarms returned no state for ${alarmName}`);
    return { name: alarmName, type: metric ? 'MetricAlarm' : 'CompositeAlarm', state: state as AlarmStateValue, reason: found.StateReason ?? '' };
  }
}
