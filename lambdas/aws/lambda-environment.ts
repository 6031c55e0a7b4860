import type { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaClients, mapConfigurationError } from './lambda';

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
  private readonly clients: ReturnType<typeof lambdaClients>;

  constructor(lambda?: LambdaClient, mutations?: LambdaClient) {
    this.clients = lambdaClients(lambda, mutations);
  }

  async read(functionName: string): Promise<FunctionEnvironment> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.GetFunctionConfigurationCommand({ FunctionName: functionName }));
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
      const { m, client } = await this.clients.mutations.get();
      const out = await client.send(new m.UpdateFunctionConfigurationCommand({ FunctionName: functionName, Environment: { Variables: { ...variables } }, RevisionId: revisionId }));
      return out.RevisionId ?? '';
    } catch (e: unknown) {
      throw mapConfigurationError(e, functionName, 'UpdateFunctionConfiguration');
    }
  }
}
