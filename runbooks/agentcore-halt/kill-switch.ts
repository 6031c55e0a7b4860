import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretReader } from '../../lambdas/aws/secrets-manager';
import { AwsUnavailable, TargetNotFound } from '../../lambdas/shared/errors';

/** What a kill-switch POST answered, as the ledger records it: the status and the body's own words, never the token. */
export interface KillSwitchAnswer {
  readonly status: number;
  readonly halted: boolean;
  readonly alreadyHalted: boolean;
}

/** The endpoint refused the POST (a 4xx): nothing was halted by it. */
export class KillSwitchRefused extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(message: string, status: number) {
    super(message);
    this.name = 'KillSwitchRefused';
    this.$metadata = { httpStatusCode: status };
  }
}

/**
 * Where the application's endpoints are reached: the configured base URL, or the override a drill
 * sets (as AWS_ENDPOINT_URL_* points the SDK clients at its sandbox).
 */
export const APPLICATION_ENDPOINT_OVERRIDE = 'AUTOPILOT_APPLICATION_ENDPOINT_URL';

/**
 * The application's kill switch (seed 000 "Fan-out kill switch"): an authenticated POST per
 * endpoint. The token is read from Secrets Manager once per call and kept in memory only: errors
 * name the secret and the endpoint, never the value.
 */
export class KillSwitchClient {
  private readonly secrets: SecretReader;

  constructor(secrets?: SecretsManagerClient, private readonly send: typeof fetch = (input, init) => fetch(input, init)) {
    this.secrets = new SecretReader(secrets);
  }

  /** The token (read only when a POST is to be sent: a dry run loads no Secrets Manager module). */
  async token(secretId: string): Promise<string> {
    const value = await this.secrets.read(secretId);
    if (value === null) throw new TargetNotFound(`the kill-switch secret ${secretId} does not exist`);
    if (value.trim() === '') throw new TargetNotFound(`the kill-switch secret ${secretId} holds no token`);
    return value.trim();
  }

  /**
   * POSTs one endpoint. A 2xx is the answer; a 4xx is KillSwitchRefused (not halted by this POST);
   * a 5xx, a timeout or a dropped connection is AwsUnavailable: the POST may have taken effect, and
   * the halt is idempotent, so it is sent again.
   */
  async post(baseUrl: string, path: string, token: string, timeoutSeconds: number): Promise<KillSwitchAnswer> {
    const url = new URL(path, process.env[APPLICATION_ENDPOINT_OVERRIDE] ?? baseUrl);
    let res: Response;
    try {
      res = await this.send(url, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}',
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      });
    } catch (e: unknown) {
      throw new AwsUnavailable(`POST ${path}: no answer (${e instanceof Error ? e.name : 'error'}); it may have taken effect`);
    }
    const body = await res.json().catch(() => ({})) as { status?: unknown; alreadyHalted?: unknown };
    if (res.status >= 500) throw new AwsUnavailable(`POST ${path} answered ${res.status}: it may have taken effect`);
    if (res.status >= 400) throw new KillSwitchRefused(`POST ${path} answered ${res.status}${res.status === 401 || res.status === 403 ? ' (the token was not accepted)' : ''}: nothing halted by it`, res.status);
    return { status: res.status, halted: true, alreadyHalted: body.alreadyHalted === true };
  }
}
