import type { SSMClient } from '@aws-sdk/client-ssm';
import { AwsThrottled, classifyAwsError, hasErrorName, TargetNotFound } from '../shared/errors';
import { readsAndMutations } from '../shared/lazy-sdk';
import { ssmSdk } from '../shared/sdk-modules';


/** One caller's SSM clients, made at their first call (shared/lazy-sdk.ts). */
export const ssmClients = (reads?: SSMClient, mutations?: SSMClient) =>
  readsAndMutations(ssmSdk, (m, settings) => new m.SSMClient(settings), reads, mutations);

/** A plain String SSM parameter: the agent's model preference. */
export class ParameterClient {
  private readonly clients: ReturnType<typeof ssmClients>;

  constructor(ssm?: SSMClient, mutations?: SSMClient) {
    this.clients = ssmClients(ssm, mutations);
  }

  async read(name: string): Promise<string> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.GetParameterCommand({ Name: name }));
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
      const { m, client } = await this.clients.mutations.get();
      await client.send(new m.PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
      return value;
    } catch (e: unknown) {
      throw parameterError(e, name, 'PutParameter');
    }
  }
}

/** An SSM call's error on one parameter, as the runbooks read it: missing is TargetNotFound, concurrent writes are throttling. */
export function parameterError(e: unknown, name: string, operation: string): Error {
  const doing = `ssm:${operation} on ${name}`;
  if (hasErrorName(e, 'ParameterNotFound')) return new TargetNotFound(`SSM parameter ${name} does not exist (${operation})`);
  // Concurrent writes to one parameter: a later attempt succeeds.
  if (e instanceof Error && e.name === 'TooManyUpdates') return new AwsThrottled(`${doing}: ${e.name}: ${e.message}`);
  return classifyAwsError(e, doing);
}
