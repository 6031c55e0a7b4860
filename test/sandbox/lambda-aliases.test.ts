import {
  GetAliasCommand, InvalidParameterValueException, LambdaClient, ListVersionsByFunctionCommand, PreconditionFailedException, ResourceNotFoundException, UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { clientConfig, rejectionOf, useSandbox } from './support';

const sandbox = useSandbox();
const lambda = () => new LambdaClient(clientConfig(sandbox()));
const MANAGER = 'cabruca-segmentation-prod-manager-agent';

test('GetAlias: the seed alias live serves version 7 with a RevisionId; an alias that does not exist is not found', async () => {
  expect(await lambda().send(new GetAliasCommand({ FunctionName: MANAGER, Name: 'live' }))).toMatchObject({
    AliasArn: `arn:aws:lambda:sa-east-1:111122223333:function:${MANAGER}:live`, FunctionVersion: '7', RevisionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
  });
  const missing = await rejectionOf(lambda().send(new GetAliasCommand({ FunctionName: MANAGER, Name: 'canary' })));
  expect(missing).toBeInstanceOf(ResourceNotFoundException);
  expect(missing.message).toBe(`Alias not found: arn:aws:lambda:sa-east-1:111122223333:function:${MANAGER}:canary`);
});

test('ListVersionsByFunction: $LATEST then 1..7, in pages', async () => {
  const first = await lambda().send(new ListVersionsByFunctionCommand({ FunctionName: MANAGER, MaxItems: 5 }));
  const second = await lambda().send(new ListVersionsByFunctionCommand({ FunctionName: MANAGER, MaxItems: 5, Marker: first.NextMarker }));
  expect([...first.Versions ?? [], ...second.Versions ?? []].map((v) => v.Version)).toEqual(['$LATEST', '1', '2', '3', '4', '5', '6', '7']);
  expect(second.NextMarker).toBeUndefined();
  // $LATEST holds what the newest version holds.
  expect(first.Versions?.[0]?.CodeSha256).toBe(second.Versions?.at(-1)?.CodeSha256);
});

test('UpdateAlias with a stale RevisionId is refused (412) and changes nothing; with the current one it applies and the RevisionId moves', async () => {
  const { RevisionId } = await lambda().send(new GetAliasCommand({ FunctionName: MANAGER, Name: 'live' }));
  const stale = await rejectionOf(lambda().send(new UpdateAliasCommand({ FunctionName: MANAGER, Name: 'live', FunctionVersion: '6', RevisionId: 'not-the-revision' })));
  expect(stale).toBeInstanceOf(PreconditionFailedException);
  expect(stale.$metadata?.httpStatusCode).toBe(412);
  expect((await lambda().send(new GetAliasCommand({ FunctionName: MANAGER, Name: 'live' }))).FunctionVersion).toBe('7');

  const updated = await lambda().send(new UpdateAliasCommand({ FunctionName: MANAGER, Name: 'live', FunctionVersion: '6', RevisionId }));
  expect(updated).toMatchObject({ FunctionVersion: '6' });
  expect(updated.RevisionId).not.toBe(RevisionId);
  const again = await rejectionOf(lambda().send(new UpdateAliasCommand({ FunctionName: MANAGER, Name: 'live', FunctionVersion: '5', RevisionId })));
  expect(again).toBeInstanceOf(PreconditionFailedException);
});

test('weighted routing follows Lambda: not with $LATEST, one extra version, never the primary; a missing version is not found', async () => {
  const update = (input: Partial<ConstructorParameters<typeof UpdateAliasCommand>[0]>) => rejectionOf(lambda().send(new UpdateAliasCommand({ FunctionName: MANAGER, Name: 'live', ...input })));
  expect(await update({ FunctionVersion: '$LATEST', RoutingConfig: { AdditionalVersionWeights: { 6: 0.1 } } })).toBeInstanceOf(InvalidParameterValueException);
  expect(await update({ FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { 5: 0.1, 6: 0.1 } } })).toBeInstanceOf(InvalidParameterValueException);
  expect(await update({ FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { 7: 0.1 } } })).toBeInstanceOf(InvalidParameterValueException);
  expect(await update({ FunctionVersion: '42' })).toBeInstanceOf(ResourceNotFoundException);
  const canary = await lambda().send(new UpdateAliasCommand({ FunctionName: MANAGER, Name: 'live', FunctionVersion: '6', RoutingConfig: { AdditionalVersionWeights: { 7: 0.1 } } }));
  expect(canary.RoutingConfig).toEqual({ AdditionalVersionWeights: { 7: 0.1 } });
  // Without RoutingConfig the weights stay; an empty map clears them.
  expect((await lambda().send(new UpdateAliasCommand({ FunctionName: MANAGER, Name: 'live', Description: 'x' }))).RoutingConfig).toEqual({ AdditionalVersionWeights: { 7: 0.1 } });
  expect((await lambda().send(new UpdateAliasCommand({ FunctionName: MANAGER, Name: 'live', RoutingConfig: { AdditionalVersionWeights: {} } }))).RoutingConfig).toBeUndefined();
});
