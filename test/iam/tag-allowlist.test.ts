/**
 * Allowlisting by tag, proven on the synthesized policies: with targetTags configured, each
 * runbook's actions reach a resource of its type that carries the tag (aws:ResourceTag), and not
 * one that does not, nor one of another type or in another cluster. Tags are read, never written.
 */
import { ACCOUNT, REGION, synthesizeIam, type Decision, type RequestContext } from './stack-roles';
import { MODULES } from '../../lib/catalog';

type Case = [role: string, action: string, resource: string, expected: Decision, context?: RequestContext];

const TAG = 'runbook-autopilot:allow';
const iam = synthesizeIam((config) => {
  // Every runbook that may allowlist by tag does.
  for (const m of MODULES) if (m.tags) (config.runbooks as Record<string, { targetTags?: Record<string, string> }>)[m.name]!.targetTags = { [TAG]: 'true' };
});
const untaggedIam = synthesizeIam();

const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const UNLISTED_FN = arn('lambda', 'function:someone-unlisted');
const UNLISTED_TABLE = arn('dynamodb', 'table/someone-unlisted');
const UNLISTED_SERVICE = arn('ecs', 'service/alphaswarm-cluster-prod/someone-unlisted');
const OTHER_CLUSTER_SERVICE = arn('ecs', 'service/other-cluster/someone-unlisted');
// The system's own functions (untagged): no runbook or undo role reaches them.
const OWN_ADMIT_FN = iam.arnOf('AWS::Lambda::Function', 'Admit');
const OWN_RESTORE_FN = iam.arnOf('AWS::Lambda::Function', 'UndoRestore');
const tagged: RequestContext = { [`aws:ResourceTag/${TAG}`]: 'true' };
const wrongValue: RequestContext = { [`aws:ResourceTag/${TAG}`]: 'false' };

async function expectDecision(...[role, action, resource, expected, context]: Case) {
  await expect(iam.decide(iam.role(role), action, resource, context)).resolves.toBe(expected);
}

const CASES: Case[] = [
  // lambda-runaway
  ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Allowed', tagged],
  ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied'],
  ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', wrongValue],
  ['LambdaRunawayStop', 'lambda:DeleteFunction', UNLISTED_FN, 'Denied', tagged],
  ['LambdaRunawayStop', 'lambda:ListTags', UNLISTED_FN, 'Allowed'],
  ['LambdaRunawayStop', 'lambda:TagResource', UNLISTED_FN, 'Denied'],
  ['LambdaRunawayInspect', 'lambda:GetFunction', UNLISTED_FN, 'Allowed', tagged],
  ['LambdaRunawayInspect', 'lambda:GetFunction', UNLISTED_FN, 'Denied'],
  ['LambdaRunawayInspect', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', tagged],
  // dynamodb-throttling
  ['DynamodbThrottlingSwitch', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Allowed', tagged],
  ['DynamodbThrottlingSwitch', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Denied'],
  ['DynamodbThrottlingSwitch', 'dynamodb:DeleteTable', UNLISTED_TABLE, 'Denied', tagged],
  ['DynamodbThrottlingSwitch', 'dynamodb:ListTagsOfResource', UNLISTED_TABLE, 'Allowed'],
  ['DynamodbThrottlingSwitch', 'dynamodb:TagResource', UNLISTED_TABLE, 'Denied'],
  ['DynamodbThrottlingCheck', 'dynamodb:DescribeTable', UNLISTED_TABLE, 'Allowed', tagged],
  ['DynamodbThrottlingCheck', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Denied', tagged],
  // ecs-service-recovery: within the clusters the named targets are in
  ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', UNLISTED_SERVICE, 'Allowed', tagged],
  ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', UNLISTED_SERVICE, 'Denied'],
  ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', OTHER_CLUSTER_SERVICE, 'Denied', tagged],
  ['EcsServiceRecoveryRedeploy', 'ecs:DeleteService', UNLISTED_SERVICE, 'Denied', tagged],
  ['EcsServiceRecoveryRedeploy', 'ecs:ListTagsForResource', UNLISTED_SERVICE, 'Allowed'],
  ['EcsServiceRecoveryInspect', 'ecs:DescribeServices', UNLISTED_SERVICE, 'Allowed', tagged],
  ['EcsServiceRecoveryInspect', 'ecs:DescribeServices', UNLISTED_SERVICE, 'Denied'],
  // admit reads tags, changes nothing
  ['Admit', 'lambda:ListTags', UNLISTED_FN, 'Allowed'],
  ['Admit', 'dynamodb:ListTagsOfResource', UNLISTED_TABLE, 'Allowed'],
  ['Admit', 'ecs:ListTagsForResource', UNLISTED_SERVICE, 'Allowed'],
  ['Admit', 'ecs:ListTagsForResource', OTHER_CLUSTER_SERVICE, 'Denied'],
  ['Admit', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', tagged],
  ['Admit', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Denied', tagged],
  ['Admit', 'ecs:UpdateService', UNLISTED_SERVICE, 'Denied', tagged],
  // The budget runbook has no tag allowlist.
  ['LlmBudgetGuardrailRedeploy', 'ecs:UpdateService', UNLISTED_SERVICE, 'Denied', tagged],
  // The undo: the inverse actions on a tagged function or table (the restore re-reads the tags first), nothing on an untagged one.
  ['UndoRestore', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Allowed', tagged],
  ['UndoRestore', 'lambda:DeleteFunctionConcurrency', UNLISTED_FN, 'Allowed', tagged],
  ['UndoRestore', 'lambda:GetFunction', UNLISTED_FN, 'Allowed', tagged],
  ['UndoRestore', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied'],
  ['UndoRestore', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', wrongValue],
  ['UndoRestore', 'lambda:DeleteFunctionConcurrency', UNLISTED_FN, 'Denied'],
  ['UndoRestore', 'lambda:PutFunctionConcurrency', OWN_ADMIT_FN, 'Denied'],
  ['UndoRestore', 'lambda:PutFunctionConcurrency', OWN_RESTORE_FN, 'Denied'],
  ['UndoRestore', 'lambda:DeleteFunctionConcurrency', OWN_RESTORE_FN, 'Denied'],
  ['UndoRestore', 'lambda:DeleteFunction', UNLISTED_FN, 'Denied', tagged],
  ['UndoRestore', 'lambda:UpdateFunctionConfiguration', UNLISTED_FN, 'Denied', tagged],
  ['UndoRestore', 'lambda:ListTags', UNLISTED_FN, 'Allowed'],
  ['UndoRestore', 'lambda:TagResource', UNLISTED_FN, 'Denied'],
  ['UndoRestore', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Allowed', tagged],
  ['UndoRestore', 'dynamodb:DescribeTable', UNLISTED_TABLE, 'Allowed', tagged],
  ['UndoRestore', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Denied'],
  ['UndoRestore', 'dynamodb:DeleteTable', UNLISTED_TABLE, 'Denied', tagged],
  ['UndoRestore', 'dynamodb:ListTagsOfResource', UNLISTED_TABLE, 'Allowed'],
  ['UndoRestore', 'dynamodb:TagResource', UNLISTED_TABLE, 'Denied'],
  ['UndoRestore', 'ecs:UpdateService', UNLISTED_SERVICE, 'Denied', tagged],
  ['UndoFinish', 'lambda:GetFunction', UNLISTED_FN, 'Allowed', tagged],
  ['UndoFinish', 'lambda:GetFunction', UNLISTED_FN, 'Denied'],
  ['UndoFinish', 'dynamodb:DescribeTable', UNLISTED_TABLE, 'Allowed', tagged],
  ['UndoFinish', 'dynamodb:DescribeTable', UNLISTED_TABLE, 'Denied'],
  ['UndoFinish', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', tagged],
  ['UndoFinish', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Denied', tagged],
  ['UndoPlan', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', tagged],
];

test.each(CASES)('%s: %s on %s -> %s', (...c) => expectDecision(...c));

test.each<[string, string, string]>([
  ['Admit', 'lambda:ListTags', UNLISTED_FN],
  ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', UNLISTED_FN],
  ['DynamodbThrottlingSwitch', 'dynamodb:UpdateTable', UNLISTED_TABLE],
  ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', UNLISTED_SERVICE],
  ['UndoRestore', 'lambda:PutFunctionConcurrency', UNLISTED_FN],
  ['UndoRestore', 'dynamodb:UpdateTable', UNLISTED_TABLE],
  ['UndoFinish', 'lambda:GetFunction', UNLISTED_FN],
])('without targetTags (config/prod.json), %s may not %s an unlisted resource even if tagged', async (role, action, resource) => {
  await expect(untaggedIam.decide(untaggedIam.role(role), action, resource, tagged)).resolves.toBe('Denied');
});
