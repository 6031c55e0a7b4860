import { IAMClient, ListAccessKeysCommand, NoSuchEntityException, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { classifyAwsError, TargetNotFound } from '../shared/errors';
import { MUTATION_CLIENT_CONFIG } from '../shared/mutation-client';

export type AccessKeyStatus = 'Active' | 'Inactive';

/** An IAM user's access keys: ids and statuses only (IAM never returns a key's secret after it is created). */
export class AccessKeyClient {
  constructor(
    private readonly iam: IAMClient = new IAMClient({}),
    /** UpdateAccessKey: no SDK retry (see mutation-client.ts). */
    private readonly mutations: IAMClient = new IAMClient(MUTATION_CLIENT_CONFIG),
  ) {}

  /** Each of the user's keys by id, with its status (a user has at most two). */
  async statuses(userName: string): Promise<Record<string, AccessKeyStatus>> {
    try {
      const out = await this.iam.send(new ListAccessKeysCommand({ UserName: userName }));
      return Object.fromEntries((out.AccessKeyMetadata ?? [])
        .filter((k) => k.AccessKeyId !== undefined)
        .map((k) => [k.AccessKeyId!, k.Status === 'Active' ? 'Active' : 'Inactive'] as const));
    } catch (e: unknown) {
      throw this.mapError(e, userName, 'ListAccessKeys');
    }
  }

  /** One key's status; TargetNotFound when the user has no such key. */
  async status(userName: string, accessKeyId: string): Promise<AccessKeyStatus> {
    const status = (await this.statuses(userName))[accessKeyId];
    if (status === undefined) throw new TargetNotFound(`IAM user ${userName} has no access key ${accessKeyId}`);
    return status;
  }

  /** Sets the key's status (never deletes it); returns the status set. */
  async setStatus(userName: string, accessKeyId: string, status: AccessKeyStatus): Promise<AccessKeyStatus> {
    try {
      await this.mutations.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: status }));
      return status;
    } catch (e: unknown) {
      throw this.mapError(e, `${userName}'s key ${accessKeyId}`, 'UpdateAccessKey');
    }
  }

  private mapError(e: unknown, what: string, operation: string): Error {
    if (e instanceof NoSuchEntityException) return new TargetNotFound(`IAM: ${what} does not exist (${operation}: ${e.message})`);
    return classifyAwsError(e, `iam:${operation} on ${what}`);
  }
}
