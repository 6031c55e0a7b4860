import { AwsError, validationError } from './aws-error';
import { Fields, type Input } from './input';
import type { ServiceContext, ServiceModel } from './model';
import { arn, type AccountState } from './state';

/**
 * EventBridge (JSON 1.1): the read side a human uses to find what invokes a function —
 * ListRuleNamesByTarget and DescribeRule, per event bus. Pagination is not modelled (all names
 * in one page); a bus or rule that does not exist is ResourceNotFoundException, as in AWS.
 */

const BUS_PATTERN = /^(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/.\-_A-Za-z0-9]+$/;

function busName(state: AccountState, fields: Fields): string {
  const ref = fields.optString('EventBusName') ?? 'default';
  if (ref.length > 1600 || !BUS_PATTERN.test(ref)) {
    throw validationError('eventBusName', 'Member must satisfy regular expression pattern: (arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+', ref);
  }
  const name = ref.includes(':event-bus/') ? ref.slice(ref.indexOf(':event-bus/') + ':event-bus/'.length) : ref;
  if (state.events?.buses[name] === undefined) {
    throw new AwsError('ResourceNotFoundException', 400, `Event bus ${name} does not exist.`);
  }
  return name;
}

function listRuleNamesByTarget(input: Input, { state }: ServiceContext) {
  const fields = new Fields(input);
  const target = fields.string('TargetArn');
  if (target.length < 1 || target.length > 1600) throw validationError('targetArn', 'Member must have length between 1 and 1600', target);
  const limit = fields.optInt('Limit');
  if (limit !== undefined && (limit < 1 || limit > 100)) throw validationError('limit', 'Member must have value between 1 and 100', limit);
  const bus = busName(state, fields);
  const rules = state.events?.buses[bus]?.rules ?? {};
  return { RuleNames: Object.entries(rules).filter(([, r]) => r.targets.some((t) => t.arn === target)).map(([name]) => name).sort() };
}

function describeRule(input: Input, { state }: ServiceContext) {
  const fields = new Fields(input);
  const name = fields.string('Name');
  const bus = busName(state, fields);
  const rule = state.events?.buses[bus]?.rules[name];
  if (rule === undefined) throw new AwsError('ResourceNotFoundException', 400, `Rule ${name} does not exist on EventBus ${bus}.`);
  return {
    Name: name,
    Arn: arn.eventRule(state, bus, name),
    State: rule.state,
    EventBusName: bus,
    CreatedBy: state.accountId,
    ...(rule.description === undefined ? {} : { Description: rule.description }),
    ...(rule.scheduleExpression === undefined ? {} : { ScheduleExpression: rule.scheduleExpression }),
    ...(rule.eventPattern === undefined ? {} : { EventPattern: rule.eventPattern }),
  };
}

export const eventsModel: ServiceModel = {
  protocol: 'awsJson1_1',
  target: 'AWSEvents',
  operations: {
    ListRuleNamesByTarget: { mutating: false, run: listRuleNamesByTarget },
    DescribeRule: { mutating: false, run: describeRule },
  },
};
