import { createHash } from 'node:crypto';
import { AwsError, validationError } from './aws-error';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import { arn, type AccountState, type LambdaAliasState, type LambdaFunctionState } from './state';
import { CONFIGURATION_ROUTES, configurationOperations, readUpdateStatus } from './lambda-configuration';

/** Lambda (REST-JSON): function configuration, reserved concurrency, published versions and aliases. */

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

/** The code $LATEST holds: its own, or the newest published version's. */
function latestSha(name: string, fn: LambdaFunctionState): string {
  if (fn.latestCodeSha256 !== undefined) return fn.latestCodeSha256;
  const versions = Object.entries(fn.versions ?? {}).sort(([a], [b]) => Number(a) - Number(b));
  return versions.at(-1)?.[1].codeSha256 ?? createHash('sha256').update(`${name}:${fn.lastModified}`).digest('base64');
}

function aliasNotFound(state: AccountState, name: string, alias: string): AwsError {
  return new AwsError('ResourceNotFoundException', 404, `Alias not found: ${arn.lambdaFunction(state, name)}:${alias}`, { messageField: 'Message' });
}

function aliasOf(state: AccountState, input: Input): { name: string; fn: LambdaFunctionState; aliasName: string; alias: LambdaAliasState } {
  const { name, fn } = resolve(state, input);
  const aliasName = new Fields(input).string('Name');
  const alias = fn.aliases?.[aliasName];
  if (alias === undefined) throw aliasNotFound(state, name, aliasName);
  return { name, fn, aliasName, alias };
}

function aliasConfiguration(state: AccountState, name: string, aliasName: string, alias: LambdaAliasState): Output {
  const weights = alias.additionalVersionWeights ?? {};
  return {
    AliasArn: `${arn.lambdaFunction(state, name)}:${aliasName}`,
    Name: aliasName,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(Object.keys(weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: { ...weights } } } : {}),
    RevisionId: alias.revisionId,
  };
}

const invalid = (message: string) => new AwsError('InvalidParameterValueException', 400, message, { messageField: 'message' });

/**
 * UpdateAlias with Lambda's rules (Lambda Developer Guide, "Implement Lambda canary deployments
 * using a weighted alias"; API reference UpdateAlias): a RevisionId that is not the alias's
 * current one is refused (PreconditionFailedException, 412) and nothing changes; the version
 * must exist; an alias routes to at most two versions, both published ($LATEST may not take part
 * in weighted routing), the additional one not the primary, with a weight from 0 to 1. A request
 * without RoutingConfig keeps the alias's routing; an empty AdditionalVersionWeights clears it.
 */
function updateAlias(input: Input, ctx: ServiceContext): Output {
  const { state } = ctx;
  const { name, fn, aliasName, alias } = aliasOf(state, input);
  const fields = new Fields(input);
  const revisionId = fields.optString('RevisionId');
  if (revisionId !== undefined && revisionId !== alias.revisionId) {
    throw new AwsError('PreconditionFailedException', 412, 'The Revision Id provided does not match the latest Revision Id. Call the GetAlias API to retrieve the latest Revision Id', { messageField: 'message' });
  }
  const version = fields.optString('FunctionVersion') ?? alias.functionVersion;
  const exists = (v: string) => v === '$LATEST' || fn.versions?.[v] !== undefined;
  if (!exists(version)) throw notFound(`${arn.lambdaFunction(state, name)}:${version}`);
  const routing = fields.optObject('RoutingConfig');
  const requested = routing === undefined ? alias.additionalVersionWeights ?? {} : (input.RoutingConfig as { AdditionalVersionWeights?: Record<string, unknown> }).AdditionalVersionWeights ?? {};
  const weights: Record<string, number> = {};
  for (const [v, w] of Object.entries(requested)) {
    if (typeof w !== 'number' || !(w >= 0 && w <= 1)) throw validationError('routingConfig.additionalVersionWeights', 'Member must have value less than or equal to 1.0 and greater than or equal to 0.0', w);
    weights[v] = w;
  }
  const additional = Object.keys(weights);
  if (additional.length > 1) throw invalid('Number of items in AdditionalVersionWeights cannot be greater than 1');
  if (additional.length === 1) {
    const extra = additional[0]!;
    if (version === '$LATEST' || extra === '$LATEST') throw invalid('$LATEST is not supported for an alias pointing to more than 1 version');
    if (!exists(extra)) throw notFound(`${arn.lambdaFunction(state, name)}:${extra}`);
    if (extra === version) throw invalid(`Invalid function version ${extra}. Function version ${extra} is already included in primary version pointer of the alias.`);
  }
  alias.functionVersion = version;
  alias.additionalVersionWeights = weights;
  const description = fields.optString('Description');
  if (description !== undefined) alias.description = description;
  alias.revisionId = revisionIdOf(ctx);
  return aliasConfiguration(state, name, aliasName, alias);
}

/** A fresh RevisionId, shaped as Lambda's (a UUID). */
export function revisionIdOf(ctx: Pick<ServiceContext, 'id'>): string {
  const h = ctx.id('revision');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** ListVersionsByFunction: $LATEST, then each published version in order, in pages (MaxItems, Marker). */
function listVersions(input: Input, { state }: ServiceContext): Output {
  const { name, fn } = resolve(state, input);
  const fields = new Fields(input);
  const maxItems = fields.optInt('MaxItems') ?? 50;
  if (maxItems < 1 || maxItems > 10_000) throw validationError('maxItems', 'Member must have value between 1 and 10000', maxItems);
  const base = configuration(state, name, fn);
  const all: Output[] = [
    { ...base, CodeSha256: latestSha(name, fn) },
    ...Object.entries(fn.versions ?? {}).sort(([a], [b]) => Number(a) - Number(b)).map(([version, v]) => ({
      ...base, FunctionArn: `${arn.lambdaFunction(state, name)}:${version}`, Version: version, CodeSha256: v.codeSha256,
      Description: v.description, LastModified: v.lastModified.replace(/Z$/, '+0000'),
    })),
  ];
  const start = Number(fields.optString('Marker') ?? '0');
  if (!Number.isInteger(start) || start < 0 || start > all.length) throw invalid('Invalid Marker');
  const page = all.slice(start, start + maxItems);
  const next = start + maxItems;
  return { Versions: page, ...(next < all.length ? { NextMarker: String(next) } : {}) };
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
    { method: 'GET', path: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', operation: 'GetAlias', status: 200 },
    { method: 'PUT', path: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', operation: 'UpdateAlias', status: 200 },
    { method: 'GET', path: '/2015-03-31/functions/{FunctionName}/versions', operation: 'ListVersionsByFunction', status: 200 },
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
    GetAlias: {
      mutating: false,
      run: (input, { state }) => {
        const { name, aliasName, alias } = aliasOf(state, input);
        return aliasConfiguration(state, name, aliasName, alias);
      },
    },
    UpdateAlias: { mutating: true, run: updateAlias },
    ListVersionsByFunction: { mutating: false, run: listVersions },
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
