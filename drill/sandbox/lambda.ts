import { createHash } from 'node:crypto';
import { AwsError, validationError } from './aws-error';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import { arn, type AccountState, type LambdaFunctionState } from './state';
import { CONFIGURATION_ROUTES, configurationOperations, readUpdateStatus } from './lambda-configuration';

/** Lambda (REST-JSON): function configuration and reserved concurrency. */

interface ResolvedFunction {
  name: string;
  fn: LambdaFunctionState;
}

function notFound(ref: string): AwsError {
  return new AwsError('ResourceNotFoundException', 404, `Function not found: ${ref}`, { messageField: 'Message' });
}

/** FunctionName may be a name, a full ARN or a partial ARN (ACCOUNT:function:NAME), each with a qualifier. */
function resolve(state: AccountState, input: Input): ResolvedFunction {
  const fields = new Fields(input);
  const ref = fields.string('FunctionName');
  const m = /^(?:arn:aws:lambda:([a-z0-9-]+):)?(?:(\d{12}):function:)?([A-Za-z0-9_-]+)(?::([\w$-]+))?$/.exec(ref);
  const name = m?.[3];
  const qualifier = fields.optString('Qualifier') ?? m?.[4];
  const foreign = (m?.[1] !== undefined && m[1] !== state.region) || (m?.[2] !== undefined && m[2] !== state.accountId);
  const fn = name === undefined ? undefined : state.lambda.functions[name];
  if (name === undefined || fn === undefined || foreign || (qualifier !== undefined && qualifier !== '$LATEST')) {
    const shown = name === undefined ? ref : `${arn.lambdaFunction(state, name)}${qualifier === undefined ? '' : `:${qualifier}`}`;
    throw notFound(shown);
  }
  return { name, fn };
}

function reservedTotal(state: AccountState, except?: string): number {
  return Object.entries(state.lambda.functions)
    .filter(([name]) => name !== except)
    .reduce((sum, [, fn]) => sum + (fn.reservedConcurrency ?? 0), 0);
}

function configuration(state: AccountState, name: string, fn: LambdaFunctionState): Output {
  const sha = createHash('sha256').update(`${name}:${fn.lastModified}`).digest('base64');
  return {
    FunctionName: name,
    FunctionArn: arn.lambdaFunction(state, name),
    Runtime: fn.runtime,
    Role: `arn:aws:iam::${state.accountId}:role/${name}-role`,
    Handler: fn.handler,
    CodeSize: 1_048_576,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: fn.lastModified.replace(/Z$/, '+0000'),
    CodeSha256: sha,
    Version: '$LATEST',
    Environment: { Variables: fn.environment },
    TracingConfig: { Mode: 'Active' },
    RevisionId: createHash('sha256').update(`${name}:${fn.lastModified}:${String(fn.reservedConcurrency)}`).digest('hex').slice(0, 36),
    State: 'Active',
    ...readUpdateStatus(fn),
    PackageType: 'Zip',
    Architectures: ['arm64'],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${name}` },
  };
}

function putConcurrency(input: Input, ctx: ServiceContext): Output {
  const { state } = ctx;
  const { name, fn } = resolve(state, input);
  const requested = new Fields(input).int('ReservedConcurrentExecutions');
  if (requested < 0) {
    throw validationError('reservedConcurrentExecutions', 'Member must have value greater than or equal to 0', requested);
  }
  const unreservedAfter = state.lambda.concurrentExecutionsLimit - reservedTotal(state, name) - requested;
  if (unreservedAfter < state.lambda.unreservedMinimum) {
    throw new AwsError(
      'InvalidParameterValueException',
      400,
      `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${state.lambda.unreservedMinimum}].`,
    );
  }
  fn.reservedConcurrency = requested;
  return { ReservedConcurrentExecutions: requested };
}

export const lambdaModel: ServiceModel = {
  protocol: 'restJson1',
  routes: [
    { method: 'GET', path: '/2015-03-31/functions/{FunctionName}/configuration', operation: 'GetFunctionConfiguration', status: 200 },
    { method: 'GET', path: '/2015-03-31/functions/{FunctionName}', operation: 'GetFunction', status: 200 },
    { method: 'GET', path: '/2019-09-30/functions/{FunctionName}/concurrency', operation: 'GetFunctionConcurrency', status: 200 },
    { method: 'PUT', path: '/2017-10-31/functions/{FunctionName}/concurrency', operation: 'PutFunctionConcurrency', status: 200 },
    { method: 'DELETE', path: '/2017-10-31/functions/{FunctionName}/concurrency', operation: 'DeleteFunctionConcurrency', status: 204 },
    { method: 'GET', path: '/2016-08-19/account-settings', operation: 'GetAccountSettings', status: 200 },
    { method: 'GET', path: '/2015-03-31/functions/{FunctionName}/policy', operation: 'GetPolicy', status: 200 },
    { method: 'GET', path: '/2015-03-31/event-source-mappings', operation: 'ListEventSourceMappings', status: 200 },
    { method: 'GET', path: '/2017-03-31/tags/{Resource}', operation: 'ListTags', status: 200 },
    ...CONFIGURATION_ROUTES,
  ],
  operations: {
    ...configurationOperations(resolve, configuration),
    GetFunctionConfiguration: {
      mutating: false,
      run: (input, { state }) => {
        const { name, fn } = resolve(state, input);
        return configuration(state, name, fn);
      },
    },
    GetFunction: {
      mutating: false,
      run: (input, { state }) => {
        const { name, fn } = resolve(state, input);
        return {
          Configuration: configuration(state, name, fn),
          Code: {
            RepositoryType: 'S3',
            Location: `https://awslambda-${state.region}-tasks.s3.${state.region}.amazonaws.com/snapshots/${state.accountId}/${name}`,
          },
          Tags: fn.tags,
          ...(fn.reservedConcurrency === null ? {} : { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } }),
        };
      },
    },
    GetFunctionConcurrency: {
      mutating: false,
      run: (input, { state }) => {
        const { fn } = resolve(state, input);
        return fn.reservedConcurrency === null ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency };
      },
    },
    PutFunctionConcurrency: { mutating: true, run: putConcurrency },
    // ListTags takes the function's ARN (a bare name is refused, as Lambda does).
    ListTags: {
      mutating: false,
      run: (input, { state }) => {
        const resource = new Fields(input).string('Resource');
        if (!resource.startsWith('arn:')) throw new AwsError('InvalidParameterValueException', 400, `1 validation error detected: Value '${resource}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:...`);
        const { fn } = resolve(state, { FunctionName: resource });
        return { Tags: fn.tags };
      },
    },
    DeleteFunctionConcurrency: {
      mutating: true,
      run: (input, { state }) => {
        resolve(state, input).fn.reservedConcurrency = null;
        return undefined;
      },
    },
    GetPolicy: {
      mutating: false,
      run: (input, { state }) => {
        const { name, fn } = resolve(state, input);
        // A function nobody was granted access to has no policy: Lambda answers 404.
        if (fn.policy === undefined || fn.policy.length === 0) {
          throw new AwsError('ResourceNotFoundException', 404, 'The resource you requested does not exist.', { messageField: 'Message' });
        }
        const policy = { Version: '2012-10-17', Id: 'default', Statement: fn.policy };
        return { Policy: JSON.stringify(policy), RevisionId: createHash('sha256').update(`${name}:${JSON.stringify(policy)}`).digest('hex').slice(0, 36) };
      },
    },
    ListEventSourceMappings: {
      mutating: false,
      run: (input, { state }) => {
        const fields = new Fields(input);
        const ref = fields.optString('FunctionName');
        const name = ref === undefined ? undefined : /([A-Za-z0-9_-]+)(?::[\w$-]+)?$/.exec(ref.replace(/^.*:function:/, ''))?.[1];
        const mappings = (state.lambda.eventSourceMappings ?? []).filter((m) => name === undefined || m.functionName === name);
        return {
          EventSourceMappings: mappings.map((m) => ({
            UUID: m.uuid, BatchSize: m.batchSize, EventSourceArn: m.eventSourceArn, FunctionArn: arn.lambdaFunction(state, m.functionName),
            LastModified: Date.parse(m.lastModified) / 1000, State: m.state, StateTransitionReason: 'USER_INITIATED',
          })),
        };
      },
    },
    GetAccountSettings: {
      mutating: false,
      run: (_input, { state }) => ({
        AccountLimit: {
          TotalCodeSize: 80_530_636_800,
          CodeSizeUnzipped: 262_144_000,
          CodeSizeZipped: 52_428_800,
          ConcurrentExecutions: state.lambda.concurrentExecutionsLimit,
          UnreservedConcurrentExecutions: state.lambda.concurrentExecutionsLimit - reservedTotal(state),
        },
        AccountUsage: {
          TotalCodeSize: Object.keys(state.lambda.functions).length * 1_048_576,
          FunctionCount: Object.keys(state.lambda.functions).length,
        },
      }),
    },
  },
};
