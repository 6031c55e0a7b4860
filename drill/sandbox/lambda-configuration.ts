import { AwsError, validationError } from './aws-error';
import { Fields, type Input } from './input';
import type { Operation, Output, RestRoute, ServiceContext } from './model';
import { arn, type AccountState, type LambdaFunctionState } from './state';

/**
 * Lambda configuration updates: UpdateFunctionConfiguration (timeout, memory) and the
 * LastUpdateStatus it leaves. An update is InProgress for the next read, then Successful (a delay
 * counted in reads, so a drill is deterministic); another update while InProgress is refused with
 * ResourceConflictException, as Lambda does.
 */

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
  if (fn.lastUpdate?.status === 'InProgress' && fn.lastUpdate.readsInProgress > 0) {
    throw new AwsError('ResourceConflictException', 409,
      `The operation cannot be performed at this time. An update is in progress for resource: ${arn.lambdaFunction(state, name)}`,
      { fields: { Type: 'User' } });
  }
  if (timeout !== undefined) fn.timeout = timeout;
  if (memorySize !== undefined) fn.memorySize = memorySize;
  fn.lastModified = ctx.now().toISOString();
  // The answer reports the update as started; the reads that follow see it InProgress, then Successful.
  const answer = { ...configuration(state, name, fn), LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being updated.' };
  fn.lastUpdate = { status: 'InProgress', readsInProgress: UPDATE_READS_IN_PROGRESS };
  return answer;
}

export const CONFIGURATION_ROUTES: readonly RestRoute[] = [
  { method: 'PUT', path: '/2015-03-31/functions/{FunctionName}/configuration', operation: 'UpdateFunctionConfiguration', status: 200 },
];

export function configurationOperations(
  resolve: (state: AccountState, input: Input) => { name: string; fn: LambdaFunctionState },
  configuration: (state: AccountState, name: string, fn: LambdaFunctionState) => Output,
): Record<string, Operation> {
  return {
    UpdateFunctionConfiguration: { mutating: true, run: (input, ctx) => updateConfiguration(input, ctx, resolve, configuration) },
  };
}
