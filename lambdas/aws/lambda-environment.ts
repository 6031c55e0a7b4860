import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { MUTATION_CLIENT_CONFIG } from '../shared/mutation-client';
import { mapConfigurationError } from './lambda';

/**
 * A function's environment as read now, with the RevisionId an update must name. It holds the
 * values: callers keep it in memory and record only lambdas/domain/function-environment.ts's redaction.
 */
export interface FunctionEnvironment {
  readonly functionName: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly revisionId: string;
  /** Successful, InProgress or Failed. */
  readonly lastUpdateStatus: string;
  readonly lastUpdateStatusReason: string | null;
}

/**
 * Reads and writes a function's environment variables. UpdateFunctionConfiguration replaces all of
 * them, so a write is the whole merged environment and names the RevisionId it was read with: a
 * change someone made since is refused by Lambda (PreconditionFailedException, ChangeRejected),
 * never overwritten. Errors name the function and the call, never a value.
 */
export class FunctionEnvironmentClient {
  constructor(
    private readonly lambda: LambdaClient = new LambdaClient({}),
    /** UpdateFunctionConfiguration: no SDK retry (see mutation-client.ts). */
    private readonly mutations: LambdaClient = new LambdaClient(MUTATION_CLIENT_CONFIG),
  ) {}

  async read(functionName: string): Promise<FunctionEnvironment> {
    try {
      const out = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
      return {
        functionName,
        variables: { ...out.Environment?.Variables },
        revisionId: out.RevisionId ?? '',
        lastUpdateStatus: out.LastUpdateStatus ?? 'Successful',
        lastUpdateStatusReason: out.LastUpdateStatusReason ?? null,
      };
    } catch (e: unknown) {
      throw mapConfigurationError(e, functionName, 'GetFunctionConfiguration');
    }
  }

  /** Sets exactly these variables, only if the function still has this RevisionId; returns the new RevisionId. */
  async write(functionName: string, variables: Readonly<Record<string, string>>, revisionId: string): Promise<string> {
    try {
      const out = await this.mutations.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Environment: { Variables: { ...variables } }, RevisionId: revisionId }));
      return out.RevisionId ?? '';
    } catch (e: unknown) {
      throw mapConfigurationError(e, functionName, 'UpdateFunctionConfiguration');
    }
  }
}
