import {
  DeleteFunctionConcurrencyCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { clientConfig, rejectionOf, useSandbox } from './support';

const sandbox = useSandbox();
const lambda = () => new LambdaClient(clientConfig(sandbox()));
const MANAGER = 'cabruca-segmentation-prod-manager-agent';
const RESEARCHER = 'cabruca-segmentation-prod-researcher-agent';
const researcherArn = `arn:aws:lambda:sa-east-1:111122223333:function:${RESEARCHER}`;

test('GetFunctionConfiguration answers by name and by ARN', async () => {
  const byName = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: RESEARCHER }));
  const byArn = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: researcherArn }));

  expect(byName).toMatchObject({ FunctionName: RESEARCHER, FunctionArn: researcherArn, State: 'Active', Version: '$LATEST' });
  expect(byArn.FunctionArn).toBe(researcherArn);
});

test('GetFunction shows Concurrency only when the function has reserved concurrency', async () => {
  const manager = await lambda().send(new GetFunctionCommand({ FunctionName: MANAGER }));
  const researcher = await lambda().send(new GetFunctionCommand({ FunctionName: RESEARCHER }));

  expect(manager.Concurrency).toEqual({ ReservedConcurrentExecutions: 50 });
  expect(researcher.Concurrency).toBeUndefined();
  expect(researcher.Configuration?.FunctionName).toBe(RESEARCHER);
});

test('GetFunctionConcurrency is empty when none is reserved', async () => {
  const none = await lambda().send(new GetFunctionConcurrencyCommand({ FunctionName: RESEARCHER }));
  const some = await lambda().send(new GetFunctionConcurrencyCommand({ FunctionName: MANAGER }));

  expect(none.ReservedConcurrentExecutions).toBeUndefined();
  expect(some.ReservedConcurrentExecutions).toBe(50);
});

test('PutFunctionConcurrency 0 stops the function and is what GetFunctionConcurrency then reads', async () => {
  const out = await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: 0 }));
  const read = await lambda().send(new GetFunctionConcurrencyCommand({ FunctionName: RESEARCHER }));

  expect(out.ReservedConcurrentExecutions).toBe(0);
  expect(read.ReservedConcurrentExecutions).toBe(0);
  expect(sandbox().state.lambda.functions[RESEARCHER]?.reservedConcurrency).toBe(0);
});

test('GetAccountSettings subtracts reserved concurrency from the unreserved pool', async () => {
  const before = await lambda().send(new GetAccountSettingsCommand({}));
  await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: 5 }));
  const after = await lambda().send(new GetAccountSettingsCommand({}));

  expect(before.AccountLimit).toMatchObject({ ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 850 });
  expect(after.AccountLimit?.UnreservedConcurrentExecutions).toBe(845);
});

test('a put that leaves fewer than 100 unreserved is refused with Lambda\'s message and changes nothing', async () => {
  // 150 is reserved already: 751 more would leave 99.
  const error = await rejectionOf(lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: 751 })));

  expect(error).toBeInstanceOf(InvalidParameterValueException);
  expect(error.$metadata?.httpStatusCode).toBe(400);
  expect(error.message).toBe(
    "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
  );
  expect(sandbox().state.lambda.functions[RESEARCHER]?.reservedConcurrency).toBeNull();
});

test('a put that leaves exactly 100 unreserved is accepted', async () => {
  const out = await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: 750 }));

  expect(out.ReservedConcurrentExecutions).toBe(750);
});

test('a function\'s own reservation does not count against its new value', async () => {
  const out = await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: MANAGER, ReservedConcurrentExecutions: 800 }));

  expect(out.ReservedConcurrentExecutions).toBe(800);
});

test('a negative reservation is a validation error', async () => {
  const error = await rejectionOf(lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: -1 })));

  expect(error.name).toBe('ValidationException');
  expect(error.message).toContain("at 'reservedConcurrentExecutions' failed to satisfy constraint");
});

test('DeleteFunctionConcurrency returns the function to the unreserved pool', async () => {
  await lambda().send(new DeleteFunctionConcurrencyCommand({ FunctionName: MANAGER }));
  const read = await lambda().send(new GetFunctionConcurrencyCommand({ FunctionName: MANAGER }));

  expect(read.ReservedConcurrentExecutions).toBeUndefined();
  expect(sandbox().state.lambda.functions[MANAGER]?.reservedConcurrency).toBeNull();
});

test('an unknown function is ResourceNotFoundException (404) naming its ARN', async () => {
  const error = await rejectionOf(lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: 'no-such-function', ReservedConcurrentExecutions: 0 })));

  expect(error).toBeInstanceOf(ResourceNotFoundException);
  expect(error.$metadata?.httpStatusCode).toBe(404);
  expect(error.message).toBe('Function not found: arn:aws:lambda:sa-east-1:111122223333:function:no-such-function');
});

test('a published version is not modelled, so a qualifier other than $LATEST is not found', async () => {
  const error = await rejectionOf(lambda().send(new GetFunctionConfigurationCommand({ FunctionName: RESEARCHER, Qualifier: '3' })));

  expect(error).toBeInstanceOf(ResourceNotFoundException);
  expect(error.message).toBe(`Function not found: ${researcherArn}:3`);
});

test('the call log names each operation and flags the mutating ones', async () => {
  await lambda().send(new GetFunctionCommand({ FunctionName: RESEARCHER }));
  await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: 0 }));

  expect(sandbox().calls.map(({ service, operation, mutating }) => ({ service, operation, mutating }))).toEqual([
    { service: 'lambda', operation: 'GetFunction', mutating: false },
    { service: 'lambda', operation: 'PutFunctionConcurrency', mutating: true },
  ]);
  expect(sandbox().calls[1]?.input).toEqual({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: 0 });
});
