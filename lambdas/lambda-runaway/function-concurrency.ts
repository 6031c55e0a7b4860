import { DeleteFunctionConcurrencyCommand, GetFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { classifyAwsError, TargetNotFound } from '../shared/errors';
import { MUTATION_CLIENT_CONFIG } from '../shared/mutation-client';

/** A function's reserved concurrency: a number, or null when it has none (uses the unreserved pool). */
export interface FunctionConcurrency {
  functionName: string;
  reservedConcurrency: number | null;
  state: string | null;
}

export class FunctionConcurrencyClient {
  constructor(
    private readonly lambda: LambdaClient = new LambdaClient({}),
    /** Puts and deletes: no SDK retry (see mutation-client.ts). */
    private readonly mutations: LambdaClient = new LambdaClient(MUTATION_CLIENT_CONFIG),
  ) {}

  async read(functionName: string): Promise<FunctionConcurrency> {
    try {
      const out = await this.lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
      return {
        functionName,
        reservedConcurrency: out.Concurrency?.ReservedConcurrentExecutions ?? null,
        state: out.Configuration?.State ?? null,
      };
    } catch (e: unknown) {
      throw this.mapError(e, functionName, 'GetFunction');
    }
  }

  async put(functionName: string, reserved: number): Promise<number> {
    try {
      const out = await this.mutations.send(new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: reserved }));
      return out.ReservedConcurrentExecutions ?? reserved;
    } catch (e: unknown) {
      throw this.mapError(e, functionName, 'PutFunctionConcurrency');
    }
  }

  /** Removes the reserved concurrency: the function goes back to the unreserved pool ("none"). */
  async remove(functionName: string): Promise<null> {
    try {
      await this.mutations.send(new DeleteFunctionConcurrencyCommand({ FunctionName: functionName }));
      return null;
    } catch (e: unknown) {
      throw this.mapError(e, functionName, 'DeleteFunctionConcurrency');
    }
  }

  private mapError(e: unknown, functionName: string, operation: string): Error {
    if (e instanceof ResourceNotFoundException) return new TargetNotFound(`Lambda function ${functionName} does not exist (${operation})`);
    return classifyAwsError(e, `lambda:${operation} on ${functionName}`);
  }
}
