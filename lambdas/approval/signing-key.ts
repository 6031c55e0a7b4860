import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { classifyAwsError } from '../shared/errors';

const CACHE_MS = 5 * 60_000;

/**
 * The link-signing key, read from Secrets Manager at runtime (never in an environment variable)
 * and cached per container for five minutes, so a rotation takes effect without a deployment.
 */
export class SigningKey {
  private cached?: { value: string; until: number };

  constructor(private readonly secretId: string, private readonly client: SecretsManagerClient = new SecretsManagerClient({})) {}

  async get(): Promise<string> {
    const now = Date.now();
    if (this.cached && this.cached.until > now) return this.cached.value;
    let value: string | undefined;
    try {
      value = (await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }))).SecretString;
    } catch (e: unknown) {
      throw classifyAwsError(e, `secretsmanager:GetSecretValue on ${this.secretId}`);
    }
    if (!value || value.length < 32) throw new Error(`The approval signing secret ${this.secretId} is empty or shorter than 32 characters`);
    this.cached = { value, until: now + CACHE_MS };
    return value;
  }
}
