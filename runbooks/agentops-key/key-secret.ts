import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { classifyAwsError } from '../../lambdas/shared/errors';

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
  constructor(private readonly secretId: string, private readonly field: string | undefined, private readonly client = new SecretsManagerClient({})) {}

  async read(): Promise<string> {
    let text: string | undefined;
    try {
      text = (await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }))).SecretString;
    } catch (e: unknown) {
      if (e instanceof ResourceNotFoundException) throw new KeySecretUnavailable(`the secret ${this.secretId} does not exist`);
      throw classifyAwsError(e, `secretsmanager:GetSecretValue on ${this.secretId}`);
    }
    const value = this.field === undefined ? text : fieldOf(text, this.field);
    if (value === undefined || value.trim() === '') throw new KeySecretUnavailable(`the secret ${this.secretId} holds no key${this.field ? ` in its field ${this.field}` : ''}`);
    return value;
  }
}

function fieldOf(text: string | undefined, field: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text ?? '');
    const v = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[field] : undefined;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
