/**
 * A secret's text, read from Secrets Manager by the functions that need one on some invocations
 * only (a key set after an approval, a kill-switch token not read in a dry run): the module is
 * loaded at the first read (shared/lazy-sdk.ts). The value stays in memory; errors name the
 * secret, never the value.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { classifyAwsError, hasErrorName } from '../shared/errors';
import { LazyClient, type SdkOf } from '../shared/lazy-sdk';
import { secretsManagerSdk } from '../shared/sdk-modules';


export class SecretReader {
  private readonly secrets: LazyClient<SdkOf<typeof secretsManagerSdk>, SecretsManagerClient>;

  constructor(client?: SecretsManagerClient) {
    this.secrets = new LazyClient(secretsManagerSdk, (m) => new m.SecretsManagerClient({}), client);
  }

  /** The secret's SecretString ('' when it holds none); null when the secret does not exist. */
  async read(secretId: string): Promise<string | null> {
    try {
      const { m, client } = await this.secrets.get();
      return (await client.send(new m.GetSecretValueCommand({ SecretId: secretId }))).SecretString ?? '';
    } catch (e: unknown) {
      if (hasErrorName(e, 'ResourceNotFoundException')) return null;
      throw classifyAwsError(e, `secretsmanager:GetSecretValue on ${secretId}`);
    }
  }
}
