import type { IAMClient } from '@aws-sdk/client-iam';
import { classifyAwsError, hasErrorName, TargetNotFound } from '../shared/errors';
import { readsAndMutations } from '../shared/lazy-sdk';
import { iamSdk } from '../shared/sdk-modules';

const iamClients = (reads?: IAMClient, mutations?: IAMClient) => readsAndMutations(iamSdk, (m, settings) => new m.IAMClient(settings), reads, mutations);

export type AccessKeyStatus = 'Active' | 'Inactive';

/** An IAM user's access keys: ids and statuses only (IAM never returns a key's secret after it is created). */
export class AccessKeyClient {
  private readonly clients: ReturnType<typeof iamClients>;

  constructor(iam?: IAMClient, mutations?: IAMClient) {
    this.clients = iamClients(iam, mutations);
  }

  /** Each of the user's keys by id, with its status (a user has at most two). */
  async statuses(userName: string): Promise<Record<string, AccessKeyStatus>> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.ListAccessKeysCommand({ UserName: userName }));
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
      const { m, client } = await this.clients.mutations.get();
      await client.send(new m.UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: status }));
      return status;
    } catch (e: unknown) {
      throw this.mapError(e, `${userName}'s key ${accessKeyId}`, 'UpdateAccessKey');
    }
  }

  private mapError(e: unknown, what: string, operation: string): Error {
    if (hasErrorName(e, 'NoSuchEntityException')) return new TargetNotFound(`IAM: ${what} does not exist (${operation}: ${e.message})`);
    return classifyAwsError(e, `iam:${operation} on ${what}`);
  }
}
