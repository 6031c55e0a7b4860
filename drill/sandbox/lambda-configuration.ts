import { AwsError, validationError } from './aws-error';
import { Fields, type Input } from './input';
import type { Operation, Output, RestRoute, ServiceContext } from './model';
import { arn, type AccountState, type LambdaFunctionState } from './state';

/**
 * Lambda configuration updates: UpdateFunctionConfiguration (timeout, memory, environment) and the
 * LastUpdateStatus it leaves. An update is InProgress for the next read, then Successful (a delay
 * counted in reads, so a drill is deterministic); another update while InProgress is refused with
 * ResourceConflictException, as Lambda does. `Environment.Variables` replaces every variable (not a
 * merge), within Lambda's 4 KB and key rules; a `RevisionId` other than the function's current one
 * is refused with PreconditionFailedException (412) before anything changes.
 */

/** Lambda: keys start with a letter, then letters, digits and underscores; all variables together at most 4 KB. */
const VARIABLE_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
const VARIABLES_MAX_BYTES = 4096;

function environmentOf(fields: Fields): Record<string, string> | undefined {
  const environment = fields.optObject('Environment');
  if (environment === undefined) return undefined;
  const raw = environment.input.Variables ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw validationError('environment.variables', 'Member must be a map of strings', '***');
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    // Lambda's message names the key, never the value (values may be secrets).
    if (!VARIABLE_KEY.test(key)) throw validationError('environment.variables', `Member must satisfy map key constraint: ${key}`, '***');
    if (typeof value !== 'string') throw validationError('environment.variables', `Member value of ${key} must be a string`, '***');
    variables[key] = value;
  }
  if (Buffer.byteLength(JSON.stringify(variables)) > VARIABLES_MAX_BYTES) {
    throw new AwsError('InvalidParameterValueException', 400, 'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.', { fields: { Type: 'User' } });
  }
  return variables;
}

/** Reads of the configuration that see an update InProgress before it settles. */
export const UPDATE_READS_IN_PROGRESS = 1;

/** The update status a read reports, advancing an update in progress by one read. */
export function readUpdateStatus(fn: LambdaFunctionState): { LastUpdateStatus: string; LastUpdateStatusReason?: string } {
  const update = fn.lastUpdate;
  if (update === undefined) return { LastUpdateStatus: 'Successful' };
  if (update.status === 'InProgress') {
    if (update.readsInProgress > 0) {
      update.readsInProgress -= 1;
      return { LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being updated.' };
    }
    update.status = 'Successful';
  }
  return { LastUpdateStatus: update.status, ...(update.reason ? { LastUpdateStatusReason: update.reason } : {}) };
}

function updateConfiguration(
  input: Input, ctx: ServiceContext,
  resolve: (state: AccountState, input: Input) => { name: string; fn: LambdaFunctionState },
  configuration: (state: AccountState, name: string, fn: LambdaFunctionState) => Output,
): Output {
  const { state } = ctx;
  const { name, fn } = resolve(state, input);
  const fields = new Fields(input);
  const timeout = fields.optInt('Timeout');
  const memorySize = fields.optInt('MemorySize');
  if (timeout !== undefined && timeout < 1) throw validationError('timeout', 'Member must have value greater than or equal to 1', timeout);
  if (timeout !== undefined && timeout > 900) throw validationError('timeout', 'Member must have value less than or equal to 900', timeout);
  if (memorySize !== undefined && (memorySize < 128 || memorySize > 10_240)) {
    throw validationError('memorySize', 'Member must have value between 128 and 10240', memorySize);
  }
  const variables = environmentOf(fields);
  if (fn.lastUpdate?.status === 'InProgress' && fn.lastUpdate.readsInProgress > 0) {
    throw new AwsError('ResourceConflictException', 409,
      `The operation cannot be performed at this time. An update is in progress for resource: ${arn.lambdaFunction(state, name)}`,
      { fields: { Type: 'User' } });
  }
  const revisionId = fields.optString('RevisionId');
  if (revisionId !== undefined && revisionId !== configuration(state, name, fn).RevisionId) {
    throw new AwsError('PreconditionFailedException', 412, 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id', { messageField: 'message' });
  }
  if (variables !== undefined) fn.environment = variables;
  if (timeout !== undefined) fn.timeout = timeout;
  if (memorySize !== undefined) fn.memorySize = memorySize;
  fn.lastModified = ctx.now().toISOString();
  // The answer reports the update as started; the reads that follow see it InProgress, then Successful.
  const answer = { ...configuration(state, name, fn), LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being updated.' };
  fn.lastUpdate = { status: 'InProgress', readsInProgress: UPDATE_READS_IN_PROGRESS };
  return answer;
}

/** CloudTrail keeps a function's environment variables out of its records: the names stay, each value hidden. */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';
function hideVariableValues(input: Input): Input {
  const variables = (input.Environment as { Variables?: unknown } | undefined)?.Variables;
  if (variables === null || typeof variables !== 'object') return input;
  return { ...input, Environment: { ...(input.Environment as object), Variables: Object.fromEntries(Object.keys(variables).map((k) => [k, HIDDEN])) } };
}

export const CONFIGURATION_ROUTES: readonly RestRoute[] = [
  { method: 'PUT', path: '/2015-03-31/functions/{FunctionName}/configuration', operation: 'UpdateFunctionConfiguration', status: 200 },
];

export function configurationOperations(
  resolve: (state: AccountState, input: Input) => { name: string; fn: LambdaFunctionState },
  configuration: (state: AccountState, name: string, fn: LambdaFunctionState) => Output,
): Record<string, Operation> {
  return {
    UpdateFunctionConfiguration: { mutating: true, run: (input, ctx) => updateConfiguration(input, ctx, resolve, configuration), recorded: hideVariableValues },
  };
}
