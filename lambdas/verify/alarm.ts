import * as z from '../shared/zod';
import { alarmStep, describeAction, firstVerifyStep, type AlarmReading, type VerifyStep } from '../domain/verification';
import { InvalidInput } from '../shared/errors';
import { taskHandler } from '../shared/handler';
import { stepInputSchema } from '../shared/task-input';
import { AlarmClient } from './alarm-client';
import { actionSchema, readVerifyPolicy } from './policy';

const POLICY = readVerifyPolicy();
const alarms = new AlarmClient();

const inputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.nonnegative()), action: actionSchema });

export interface AlarmVerifyResult extends VerifyStep {
  readonly alarm: { readonly name: string; readonly state: AlarmReading['state'] | null; readonly type: AlarmReading['type'] | null; readonly reason: string | null };
}

/**
 * Verify: did the alarm that started the run return to OK? Attempt 0 only schedules the first
 * check (the configured wait: an alarm evaluates per period); each later attempt reads the alarm
 * (DescribeAlarms, metric and composite alarms alike) and says verified, pending or not verified.
 */
export const handler = taskHandler(inputSchema, async ({ incident, attempt, action }): Promise<AlarmVerifyResult> => {
  const alarmName = incident.source.name;
  if (!alarmName) throw new InvalidInput('Invalid task input at incident.source.name: the alarm that fired is required');
  if (attempt === 0) {
    return { ...firstVerifyStep(POLICY, `that alarm ${alarmName} returned to OK after ${describeAction(action)}`), alarm: { name: alarmName, state: null, type: null, reason: null } };
  }
  const reading = await alarms.read(alarmName);
  return {
    ...alarmStep(POLICY, attempt, alarmName, reading, action),
    alarm: { name: alarmName, state: reading?.state ?? null, type: reading?.type ?? null, reason: reading?.reason ?? null },
  };
});
