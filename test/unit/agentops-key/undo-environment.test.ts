import 'aws-sdk-client-mock-jest';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { redactVariables } from '../../../lambdas/domain/function-environment';
import { inverseOf, type Inverse } from '../../../lambdas/domain/reversible';
import type { RestoreStep } from '../../../lambdas/domain/undo-plan';
import { UndoResources } from '../../../lambdas/undo/resources';

const lambda = mockClient(LambdaClient);
const FN = 'cabruca-segmentation-prod-qa-agent';
const KEY = 'ao-unit-undo-key-value';
const before = { ENVIRONMENT: 'prod', STATE_TABLE: 'agent-state' };
const set = { ...before, AGENTOPS_API_KEY: KEY };
const recorded = (vars: Record<string, string>) => ({ variables: redactVariables(FN, vars) });
const inverse = inverseOf({
  actionKey: `set-key#lambda:UpdateFunctionConfiguration#${FN}`, operation: 'lambda:UpdateFunctionConfiguration', target: FN, status: 'succeeded', executionArn: 'arn',
  parameters: { FunctionName: FN, Environment: { Variables: recorded(set).variables }, RevisionId: 'r0' }, before: { ...recorded(before), revisionId: 'r0' }, after: recorded(set),
}) as Inverse;
const step = { ...inverse, sourceKey: 'k', sourceStep: 'set-key', step: 'undo-set-key', newer: [], restoresStart: true } as unknown as RestoreStep;
const resources = new UndoResources();

beforeEach(() => lambda.reset());

test('the key is removed from the environment read just before, written with that read\'s RevisionId; what is returned is digests', async () => {
  lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: set }, RevisionId: 'r5' });
  lambda.on(UpdateFunctionConfigurationCommand).resolves({});
  const restored = await resources.restore(step);
  expect(lambda.commandCalls(GetFunctionConfigurationCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: FN }]);
  expect(lambda.commandCalls(UpdateFunctionConfigurationCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: FN, Environment: { Variables: before }, RevisionId: 'r5' }]);
  expect(restored).toEqual(recorded(before));
  expect(JSON.stringify(restored)).not.toContain(KEY);
});

test('an environment changed since the key was set (a deploy added a variable) is left alone: refused before any write', async () => {
  lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: { ...set, RELEASE: '42' } }, RevisionId: 'r6' });
  await expect(resources.restore(step)).rejects.toMatchObject({ name: 'ChangeRejected' });
  expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)).toEqual([]);
});

test('the key rotated since (same names, another value) is left alone too', async () => {
  lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: { ...set, AGENTOPS_API_KEY: 'rotated' } }, RevisionId: 'r7' });
  await expect(resources.restore(step)).rejects.toMatchObject({ name: 'ChangeRejected' });
  expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)).toEqual([]);
});

test('the read the undo compares with is digests, never values', async () => {
  lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: set }, RevisionId: 'r5' });
  const read = await resources.read('lambda-environment', FN);
  expect(lambda).toHaveReceivedCommandWith(GetFunctionConfigurationCommand, { FunctionName: FN });
  expect(read).toEqual(recorded(set));
  expect(JSON.stringify(read)).not.toContain(KEY);
});
