import { GetParameterCommand, GetParametersCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { MODEL_PREFERENCE_PARAMETER, SEED_MODEL } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const sandbox = useSandbox();
const ssm = () => new SSMClient(clientConfig(sandbox()));
const HAIKU = 'anthropic.claude-haiku-4-5-20251022-v1:0';

test('GetParameter returns the seeded model preference', async () => {
  const { Parameter } = await ssm().send(new GetParameterCommand({ Name: MODEL_PREFERENCE_PARAMETER }));

  expect(Parameter).toMatchObject({
    Name: MODEL_PREFERENCE_PARAMETER,
    Type: 'String',
    Value: SEED_MODEL,
    Version: 1,
    ARN: `arn:aws:ssm:sa-east-1:111122223333:parameter${MODEL_PREFERENCE_PARAMETER}`,
  });
  expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
});

test('PutParameter without Overwrite on an existing name is ParameterAlreadyExists and changes nothing', async () => {
  const error = await rejectionOf(ssm().send(new PutParameterCommand({ Name: MODEL_PREFERENCE_PARAMETER, Value: HAIKU, Type: 'String' })));

  expect(error).toBeInstanceOf(ParameterAlreadyExists);
  expect(error.message).toBe('The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
  expect(sandbox().state.ssm.parameters[MODEL_PREFERENCE_PARAMETER]?.value).toBe(SEED_MODEL);
});

test('PutParameter with Overwrite bumps the version and keeps the replaced value', async () => {
  const out = await ssm().send(new PutParameterCommand({ Name: MODEL_PREFERENCE_PARAMETER, Value: HAIKU, Type: 'String', Overwrite: true }));
  const { Parameter } = await ssm().send(new GetParameterCommand({ Name: MODEL_PREFERENCE_PARAMETER }));
  const previous = await ssm().send(new GetParameterCommand({ Name: `${MODEL_PREFERENCE_PARAMETER}:1` }));

  expect(out).toMatchObject({ Version: 2, Tier: 'Standard' });
  expect(Parameter).toMatchObject({ Value: HAIKU, Version: 2 });
  expect(previous.Parameter).toMatchObject({ Value: SEED_MODEL, Version: 1, Selector: ':1' });
  expect(sandbox().snapshot().ssm[MODEL_PREFERENCE_PARAMETER]).toEqual({ value: HAIKU, version: 2 });
});

test('creating a parameter needs a Type', async () => {
  const error = await rejectionOf(ssm().send(new PutParameterCommand({ Name: '/new/param', Value: 'x' })));
  const created = await ssm().send(new PutParameterCommand({ Name: '/new/param', Value: 'x', Type: 'String' }));

  expect(error.name).toBe('ValidationException');
  expect(error.message).toBe('A parameter type is required when you create a parameter.');
  expect(created.Version).toBe(1);
});

test('an unknown parameter is ParameterNotFound', async () => {
  const error = await rejectionOf(ssm().send(new GetParameterCommand({ Name: '/alphaswarm/prod/nope' })));

  expect(error).toBeInstanceOf(ParameterNotFound);
  expect(error.$metadata?.httpStatusCode).toBe(400);
});

test('GetParameters answers the names that exist and lists the others in InvalidParameters, each name once', async () => {
  const missing = '/runbook-autopilot/nowhere';
  const out = await ssm().send(new GetParametersCommand({ Names: [MODEL_PREFERENCE_PARAMETER, missing, MODEL_PREFERENCE_PARAMETER] }));

  expect(out.Parameters?.map((p) => [p.Name, p.Value, p.Version])).toEqual([[MODEL_PREFERENCE_PARAMETER, SEED_MODEL, 1]]);
  expect(out.InvalidParameters).toEqual([missing]);
});

test('GetParameters with more than ten names is a ValidationException', async () => {
  const error = await rejectionOf(ssm().send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/p/${i}`) })));

  expect(error.name).toBe('ValidationException');
  expect(error.message).toMatch(/^1 validation error detected: Value '\[.*\]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10$/);
});
