import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AwsThrottled, classifyAwsError, TargetNotFound } from '../shared/errors';
import { MUTATION_CLIENT_CONFIG } from '../shared/mutation-client';

/** A plain String SSM parameter: the agent's model preference. */
export class ParameterClient {
  constructor(
    private readonly ssm: SSMClient = new SSMClient({}),
    /** PutParameter: no SDK retry (see mutation-client.ts). */
    private readonly mutations: SSMClient = new SSMClient(MUTATION_CLIENT_CONFIG),
  ) {}

  async read(name: string): Promise<string> {
    try {
      const out = await this.ssm.send(new GetParameterCommand({ Name: name }));
      const value = out.Parameter?.Value;
      if (value === undefined) throw new Error(`ssm:GetParameter returned no value for ${name}`);
      return value;
    } catch (e: unknown) {
      throw parameterError(e, name, 'GetParameter');
    }
  }

  /** Overwrites the value; returns the value written. */
  async write(name: string, value: string): Promise<string> {
    try {
      await this.mutations.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
      return value;
    } catch (e: unknown) {
      throw parameterError(e, name, 'PutParameter');
    }
  }
}

/** An SSM call's error on one parameter, as the runbooks read it: missing is TargetNotFound, concurrent writes are throttling. */
export function parameterError(e: unknown, name: string, operation: string): Error {
  const doing = `ssm:${operation} on ${name}`;
  if (e instanceof ParameterNotFound) return new TargetNotFound(`SSM parameter ${name} does not exist (${operation})`);
  // Concurrent writes to one parameter: a later attempt succeeds.
  if (e instanceof Error && e.name === 'TooManyUpdates') return new AwsThrottled(`${doing}: ${e.name}: ${e.message}`);
  return classifyAwsError(e, doing);
}
