import type { SSMClient } from '@aws-sdk/client-ssm';
import { parameterError, ssmClients } from './ssm';

/** What a rotation reads of a parameter: never its value. */
export interface ParameterVersion {
  readonly type: string;
  readonly version: number;
}

/**
 * A SecureString parameter as a secret's rotation sees it: its type and version, read without
 * decryption (the functions hold no kms:Decrypt), and a new version written from a value the
 * caller made. The value itself is never returned, logged or recorded.
 */
export class SecureParameterClient {
  private readonly clients: ReturnType<typeof ssmClients>;

  constructor(ssm?: SSMClient, mutations?: SSMClient) {
    this.clients = ssmClients(ssm, mutations);
  }

  async version(name: string): Promise<ParameterVersion> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.GetParameterCommand({ Name: name, WithDecryption: false }));
      const { Type: type, Version: version } = out.Parameter ?? {};
      if (type === undefined || version === undefined) throw new Error(`ssm:GetParameter returned no type or version for ${name}`);
      return { type, version };
    } catch (e: unknown) {
      throw parameterError(e, name, 'GetParameter');
    }
  }

  /**
   * Overwrites the parameter with a new SecureString version; returns the version written. The key
   * is always named: without KeyId, SSM would encrypt the new version with the account's default
   * aws/ssm key, whatever key the parameter used before.
   */
  async writeVersion(name: string, value: string, keyId: string): Promise<number> {
    try {
      const { m, client } = await this.clients.mutations.get();
      const out = await client.send(new m.PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', KeyId: keyId, Overwrite: true }));
      if (out.Version === undefined) throw new Error(`ssm:PutParameter returned no version for ${name}`);
      return out.Version;
    } catch (e: unknown) {
      throw parameterError(e, name, 'PutParameter');
    }
  }
}
