import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretReader } from '../../lambdas/aws/secrets-manager';

/** The configured secret cannot give the key (absent, empty, or without the field): nothing is changed. */
export class KeySecretUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeySecretUnavailable';
  }
}

/**
 * The key, read from the configured Secrets Manager secret: its whole SecretString, or one field
 * of it when it is a JSON object. The value stays in memory; errors name the secret, never the value.
 */
export class KeySecret {
  private readonly secrets: SecretReader;

  constructor(private readonly secretId: string, private readonly field: string | undefined, client?: SecretsManagerClient) {
    this.secrets = new SecretReader(client);
  }

  async read(): Promise<string> {
    const text = await this.secrets.read(this.secretId);
    if (text === null) throw new KeySecretUnavailable(`the secret ${this.secretId} does not exist`);
    const value = this.field === undefined ? text : fieldOf(text, this.field);
    if (value === undefined || value.trim() === '') throw new KeySecretUnavailable(`the secret ${this.secretId} holds no key${this.field ? ` in its field ${this.field}` : ''}`);
    return value;
  }
}

function fieldOf(text: string, field: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const v = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[field] : undefined;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
