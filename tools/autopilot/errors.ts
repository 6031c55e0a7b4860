/**
 * How the command line fails: one line on stderr, never a stack trace. Exit code 2 for what the
 * person typed (nothing was changed), 1 for what AWS, the files or the drill's state answered.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** A problem with the command as typed: nothing was read or changed. */
export const usageError = (message: string): CliError => new CliError(message, 2);

const oneLine = (text: string): string => text.split('\n')[0]!.trim();

const CREDENTIALS = new Set(['CredentialsProviderError', 'TokenProviderError', 'ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException', 'InvalidClientTokenId']);
const UNREACHABLE = new Set(['ENOTFOUND', 'ECONNREFUSED', 'ECONNRESET', 'EAI_AGAIN', 'ETIMEDOUT', 'TimeoutError']);

/**
 * An AWS SDK failure as one sentence: no credentials (or expired ones) say how to sign in, a
 * refusal says what was refused, anything else names the call that failed.
 */
export function awsFailure(e: unknown, doing: string, where: { region: string; stack: string }): CliError {
  if (e instanceof CliError) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as { name?: string; message?: string; code?: string };
  const name = err.name ?? 'Error';
  const message = oneLine(err.message ?? String(e));
  if (CREDENTIALS.has(name) || /credential|sso session|token (has )?expired/i.test(message)) {
    return new CliError(`no AWS credentials: sign in (aws sso login, --profile or AWS_PROFILE) to the account ${where.stack} is deployed in, ${where.region} (${message})`);
  }
  if (UNREACHABLE.has(name) || (err.code !== undefined && UNREACHABLE.has(err.code))) {
    return new CliError(`could not reach AWS in ${where.region} while ${doing} (${err.code ?? name}: ${message})`);
  }
  if (/AccessDenied/.test(name)) return new CliError(`AWS refused ${doing}: ${message}`);
  return new CliError(`${doing} failed: ${name}: ${message}`);
}
