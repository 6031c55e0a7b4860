import { SERVICE_REGISTRY } from './registry';
import { SANDBOX_REGION } from './seed-account';

/**
 * SDK v3 reads AWS_ENDPOINT_URL_<serviceId> (serviceId upper-cased, spaces as underscores) when a
 * client is configured, so handlers reach the sandbox without a code change.
 */
export const SANDBOX_ENDPOINT_VARIABLES: readonly string[] = SERVICE_REGISTRY.map((entry) => entry.endpointVariable);

/** Credentials the sandbox accepts (it reads the credential scope, never checks the signature). */
export const SANDBOX_CREDENTIALS = { accessKeyId: 'AKIASANDBOXDRILL0000', secretAccessKey: 'sandbox-secret-access-key' } as const;

/**
 * The environment that points every modelled SDK client at the sandbox (and DynamoDB at a local
 * endpoint when given), in the sandbox account's region.
 */
export function sandboxEndpointEnv(url: string, options: { dynamodb?: string } = {}): Record<string, string> {
  return {
    ...Object.fromEntries(SANDBOX_ENDPOINT_VARIABLES.map((name) => [name, url])),
    ...(options.dynamodb === undefined ? {} : { AWS_ENDPOINT_URL_DYNAMODB: options.dynamodb }),
    // The application's own endpoints (the kill switch) are served on the same loopback port (application.ts).
    AUTOPILOT_APPLICATION_ENDPOINT_URL: url,
    AWS_REGION: SANDBOX_REGION,
    AWS_DEFAULT_REGION: SANDBOX_REGION,
    AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
  };
}
