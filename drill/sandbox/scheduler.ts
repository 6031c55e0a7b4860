import { AwsError } from './aws-error';
import { epochSeconds } from './common';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import type { AccountState, ScheduleState } from './state';

/**
 * EventBridge Scheduler (REST-JSON): CreateSchedule, GetSchedule and DeleteSchedule in the `default`
 * group, with the API's validation (name pattern, expression, FlexibleTimeWindow and Target
 * required, ConflictException for a name taken, ResourceNotFoundException for one that is not).
 * A one-time schedule (`at(yyyy-mm-ddThh:mm:ss)`, UTC) fires on the sandbox clock
 * (`fireDueSchedules`, when the drill moves the clock on): a Step Functions target is started with
 * the schedule's Input, then the schedule is deleted when its ActionAfterCompletion is DELETE.
 * Rate and cron schedules are accepted and kept, never fired; other target kinds are not started.
 */

const validation = (message: string) => new AwsError('ValidationException', 400, message);
const notFound = (name: string) => new AwsError('ResourceNotFoundException', 404, `Schedule ${name} does not exist.`);
const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const RECURRING = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\))$/;
const STATE_MACHINE = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;
const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

const schedules = (state: AccountState) => (state.scheduler ??= { schedules: {} }).schedules;
const keyOf = (group: string, name: string) => `${group}/${name}`;

/** The instant of a one-time expression (UTC), or undefined for a recurring one; anything else is refused. */
export function atTime(expression: string): Date | undefined {
  const m = AT.exec(expression);
  if (m) {
    const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
    const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    if (at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw validation(`Invalid Schedule Expression ${expression}.`);
    return at;
  }
  if (RECURRING.test(expression)) return undefined;
  throw validation(`Invalid Schedule Expression ${expression}.`);
}

function nameOf(fields: Fields): string {
  const name = fields.string('Name');
  if (!NAME.test(name)) throw validation(`1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$`);
  return name;
}

/** The group a request names (the body's GroupName, or the groupName query parameter): only `default` exists here. */
function groupOf(input: Input): string {
  const group = typeof input.GroupName === 'string' ? input.GroupName : typeof input.groupName === 'string' ? input.groupName : 'default';
  if (group !== 'default') throw new AwsError('ResourceNotFoundException', 404, `Schedule group ${group} does not exist.`);
  return group;
}

function arnOf(state: AccountState, s: Pick<ScheduleState, 'groupName' | 'name'>): string {
  return `arn:aws:scheduler:${state.region}:${state.accountId}:schedule/${s.groupName}/${s.name}`;
}

function createSchedule(input: Input, { state, now }: ServiceContext): Output {
  const fields = new Fields(input, (m, c) => validation(`${m}: ${c}`));
  const name = nameOf(fields);
  const groupName = groupOf(input);
  const expression = fields.optString('ScheduleExpression');
  if (expression === undefined) throw validation("1 validation error detected: Value null at 'scheduleExpression' failed to satisfy constraint: Member must not be null");
  atTime(expression);
  const timezone = fields.optString('ScheduleExpressionTimezone');
  if (timezone !== undefined && timezone !== 'UTC') throw validation(`The sandbox models schedules in UTC only, not ${timezone}.`);
  const window = fields.optObject('FlexibleTimeWindow');
  if (window === undefined) throw validation("1 validation error detected: Value null at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null");
  const mode = window.optString('Mode');
  if (mode !== 'OFF' && mode !== 'FLEXIBLE') throw validation("1 validation error detected: Value at 'flexibleTimeWindow.mode' failed to satisfy constraint: Member must satisfy enum value set: [OFF, FLEXIBLE]");
  const maximum = window.optInt('MaximumWindowInMinutes');
  if (mode === 'FLEXIBLE' && (maximum === undefined || maximum < 1 || maximum > 1440)) throw validation('MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.');
  const target = fields.optObject('Target');
  if (target === undefined) throw validation("1 validation error detected: Value null at 'target' failed to satisfy constraint: Member must not be null");
  const targetArn = target.optString('Arn');
  const roleArn = target.optString('RoleArn');
  if (targetArn === undefined) throw validation("1 validation error detected: Value null at 'target.arn' failed to satisfy constraint: Member must not be null");
  if (roleArn === undefined) throw validation("1 validation error detected: Value null at 'target.roleArn' failed to satisfy constraint: Member must not be null");
  if (!ROLE.test(roleArn)) throw validation(`Invalid RoleArn ${roleArn}.`);
  const after = fields.optString('ActionAfterCompletion') ?? 'NONE';
  if (after !== 'NONE' && after !== 'DELETE') throw validation("1 validation error detected: Value at 'actionAfterCompletion' failed to satisfy constraint: Member must satisfy enum value set: [NONE, DELETE]");
  const scheduleState = fields.optString('State') ?? 'ENABLED';
  if (scheduleState !== 'ENABLED' && scheduleState !== 'DISABLED') throw validation("1 validation error detected: Value at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]");
  const all = schedules(state);
  if (all[keyOf(groupName, name)]) throw new AwsError('ConflictException', 409, `Schedule ${name} already exists.`);
  const payload = target.optString('Input');
  const description = fields.optString('Description');
  const schedule: ScheduleState = {
    groupName, name, expression, state: scheduleState, actionAfterCompletion: after,
    flexibleTimeWindow: { Mode: mode, ...(maximum === undefined ? {} : { MaximumWindowInMinutes: maximum }) },
    target: { Arn: targetArn, RoleArn: roleArn, ...(payload === undefined ? {} : { Input: payload }) },
    ...(timezone ? { expressionTimezone: timezone } : {}), ...(description ? { description } : {}),
    createdAt: now().toISOString(),
  };
  all[keyOf(groupName, name)] = schedule;
  return { ScheduleArn: arnOf(state, schedule) };
}

function found(input: Input, state: AccountState): ScheduleState {
  const fields = new Fields(input, (m, c) => validation(`${m}: ${c}`));
  const name = nameOf(fields);
  const schedule = schedules(state)[keyOf(groupOf(input), name)];
  if (schedule === undefined) throw notFound(name);
  return schedule;
}

function getSchedule(input: Input, { state }: ServiceContext): Output {
  const s = found(input, state);
  return {
    Arn: arnOf(state, s), Name: s.name, GroupName: s.groupName, ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: s.expressionTimezone ?? 'UTC', State: s.state, ActionAfterCompletion: s.actionAfterCompletion,
    FlexibleTimeWindow: s.flexibleTimeWindow, Target: s.target,
    ...(s.description ? { Description: s.description } : {}),
    CreationDate: epochSeconds(s.createdAt), LastModificationDate: epochSeconds(s.createdAt),
  };
}

function deleteSchedule(input: Input, { state }: ServiceContext): Output {
  const s = found(input, state);
  delete schedules(state)[keyOf(s.groupName, s.name)];
  return {};
}

/**
 * Fires every enabled one-time schedule due on the sandbox clock: a Step Functions target is started
 * (StartExecution, as the scheduler's role would) with the schedule's Input; then the schedule is
 * deleted (ActionAfterCompletion DELETE) or kept with the time it fired. Returns the names fired.
 */
export async function fireDueSchedules(ctx: ServiceContext): Promise<string[]> {
  const fired: string[] = [];
  const all = schedules(ctx.state);
  for (const [key, s] of Object.entries(all)) {
    const at = atTime(s.expression);
    if (s.state !== 'ENABLED' || at === undefined || s.firedAt !== undefined || at.getTime() > ctx.now().getTime()) continue;
    if (STATE_MACHINE.test(s.target.Arn)) await ctx.hooks.onStartExecution?.(s.target.Arn, `${s.name}-${ctx.id('schedule').slice(0, 8)}`, s.target.Input ?? '{}');
    if (s.actionAfterCompletion === 'DELETE') delete all[key];
    else s.firedAt = ctx.now().toISOString();
    fired.push(s.name);
  }
  return fired;
}

export const schedulerModel: ServiceModel = {
  protocol: 'restJson1',
  routes: [
    { method: 'POST', path: '/schedules/{Name}', operation: 'CreateSchedule', status: 200 },
    { method: 'GET', path: '/schedules/{Name}', operation: 'GetSchedule', status: 200 },
    { method: 'DELETE', path: '/schedules/{Name}', operation: 'DeleteSchedule', status: 200 },
  ],
  operations: {
    CreateSchedule: { mutating: true, run: createSchedule },
    GetSchedule: { mutating: false, run: getSchedule },
    DeleteSchedule: { mutating: true, run: deleteSchedule },
  },
};
