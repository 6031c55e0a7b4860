import { ACCESS_KEY_ID } from '../../lambdas/domain/service-events';
import { InvalidInput } from '../../lambdas/shared/errors';
import type { Incident } from '../../lambdas/shared/task-input';

export interface ExposedKey {
  readonly userName: string;
  readonly accessKeyId: string;
}

/**
 * The user and key an incident is about: the target is the IAM user (what config allows), the
 * key is what the event named (admit keeps it as the source's occurrence). A user's own keys only
 * (AKIA...): temporary credentials have no key to deactivate.
 */
export function exposedKeyOf(incident: Incident): ExposedKey {
  const accessKeyId = incident.source.occurrence;
  if (accessKeyId === undefined || !ACCESS_KEY_ID.test(accessKeyId) || !accessKeyId.startsWith('AKIA')) {
    throw new InvalidInput(`incident ${incident.id} names no IAM user access key (AKIA...) for ${incident.target}: nothing changed`);
  }
  return { userName: incident.target, accessKeyId };
}

/** A key's status as the ledger and the undo record it: the key's id to its status, this key only. */
export const keyStatus = (accessKeyId: string, status: string): Record<string, string> => ({ [accessKeyId]: status });
