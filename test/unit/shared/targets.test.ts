import { LambdaClient, ListTagsCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { ECSClient, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { tagAdmission } from '../../../lambdas/domain/admission';

const lambda = mockClient(LambdaClient);
const ecs = mockClient(ECSClient);
const CALLER = 'arn:aws:lambda:sa-east-1:111122223333:function:runbook-autopilot-prod-LambdaRunawayStop';
type Check = (target: string, invokedFunctionArn?: string) => Promise<void>;
let check: Check;
let checkEcs: Check;

beforeAll(async () => {
  Object.assign(process.env, { AWS_REGION: 'sa-east-1', ALLOWED_TARGETS: JSON.stringify(['named-fn']), ALLOWED_TARGET_TAGS: JSON.stringify({ 'runbook-autopilot:allow': 'true' }) });
  const { allowedTargets } = await import('../../../lambdas/shared/targets');
  check = allowedTargets({ runbook: 'lambda-runaway', resource: 'lambda:function' });
  checkEcs = allowedTargets({ runbook: 'ecs-service-recovery', resource: 'ecs:service' });
});
beforeEach(() => {
  lambda.reset();
  ecs.reset();
});

test('a named target passes without reading tags', async () => {
  await expect(check('named-fn', CALLER)).resolves.toBeUndefined();
  expect(lambda.calls()).toHaveLength(0);
});

test('an unlisted function carrying the tag passes; its tags are read by ARN in the caller\'s account and region', async () => {
  lambda.on(ListTagsCommand).resolves({ Tags: { 'runbook-autopilot:allow': 'true', Team: 'x' } });

  await expect(check('tagged-fn', CALLER)).resolves.toBeUndefined();
  expect(lambda.commandCalls(ListTagsCommand)[0]!.args[0].input).toEqual({ Resource: 'arn:aws:lambda:sa-east-1:111122223333:function:tagged-fn' });
});

test('an unlisted function without the tag (or with another value) is refused with one line', async () => {
  lambda.on(ListTagsCommand).resolves({ Tags: { 'runbook-autopilot:allow': 'false' } });

  await expect(check('other-fn', CALLER)).rejects.toMatchObject({
    name: 'TargetNotAllowed', message: 'other-fn is not a configured target of this function and does not carry runbook-autopilot:allow=true',
  });
});

test('an unlisted function that does not exist is refused', async () => {
  lambda.on(ListTagsCommand).rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: {} }));

  await expect(check('gone-fn', CALLER)).rejects.toMatchObject({ name: 'TargetNotAllowed' });
});

test('ECS: the service ARN is built from the cluster/service key', async () => {
  ecs.on(ListTagsForResourceCommand).resolves({ tags: [{ key: 'runbook-autopilot:allow', value: 'true' }] });

  await expect(checkEcs('alphaswarm-cluster-prod/worker', CALLER)).resolves.toBeUndefined();
  expect(ecs.commandCalls(ListTagsForResourceCommand)[0]!.args[0].input).toEqual({ resourceArn: 'arn:aws:ecs:sa-east-1:111122223333:service/alphaswarm-cluster-prod/worker' });
});

test('tagAdmission: every required tag must match', () => {
  const required = { a: '1', b: '2' };
  expect(tagAdmission('r', 't', required, { a: '1', b: '2', c: '3' })).toEqual({ decision: 'admit' });
  expect(tagAdmission('r', 't', required, { a: '1' })).toEqual({ decision: 'reject', reason: 't is not a configured target of r and does not carry a=1, b=2' });
  expect(tagAdmission('r', 't', required, null)).toEqual({ decision: 'reject', reason: 't is not a configured target of r and does not exist' });
});
