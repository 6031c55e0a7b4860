import { randomBytes } from 'node:crypto';
import * as z from '../../lambdas/shared/zod';
import { requireJsonEnv } from '../../lambdas/shared/env';
import { InvalidInput, TargetNotAllowed } from '../../lambdas/shared/errors';
import type { ParameterVersion } from '../../lambdas/aws/secure-parameter';
import type { Incident } from '../../lambdas/shared/task-input';

/** A configured secret as its functions read it from SECRETS: the parameter, the key it is encrypted with, the services that read it. */
const secretSchema = z.object({
  parameter: z.string().check(z.minLength(1)),
  keyId: z.string().check(z.minLength(1)),
  /** "cluster/service" keys, redeployed in this order. */
  services: z.array(z.string().check(z.minLength(1))),
});
export type ConfiguredSecret = z.infer<typeof secretSchema>;

/** The configured secrets by parameter name (SECRETS, from config); a name not among them is TargetNotAllowed. */
export function configuredSecrets(): (parameter: string) => ConfiguredSecret {
  const secrets = new Map(requireJsonEnv('SECRETS', (raw) => z.array(secretSchema).parse(raw)).map((s) => [s.parameter, s]));
  return (parameter) => {
    const found = secrets.get(parameter);
    if (found === undefined) throw new TargetNotAllowed(`${parameter} is not a configured secret of credential-exposure: nothing changed`);
    return found;
  };
}

/** An SSM parameter version: what an operator's start names as the leaked one. */
export const LEAKED_VERSION = /^[1-9][0-9]{0,9}$/;

export interface LeakedSecret extends ConfiguredSecret {
  readonly leakedVersion: number;
}

/** The secret an incident is about: its target is the parameter, its occurrence the version that leaked. */
export function leakedSecretOf(incident: Incident, secrets: (parameter: string) => ConfiguredSecret): LeakedSecret {
  const occurrence = incident.source.occurrence;
  if (occurrence === undefined || !LEAKED_VERSION.test(occurrence)) {
    throw new InvalidInput(`incident ${incident.id} names no leaked version of ${incident.target} (a parameter version number): nothing changed`);
  }
  return { ...secrets(incident.target), leakedVersion: Number(occurrence) };
}

export type RotationDecision = 'rotate' | 'already-rotated' | 'unknown-version' | 'not-secure-string';

export interface RotationPlan {
  readonly decision: RotationDecision;
  readonly reason: string;
}

/**
 * Whether the leaked version is still the one in use: only then is a new one written. A newer
 * version means it was rotated already (by an earlier run or by hand); a version the parameter has
 * not reached yet is a wrong start, and a parameter that is not a SecureString is not a secret.
 */
export function rotationPlan(parameter: string, read: ParameterVersion, leakedVersion: number): RotationPlan {
  if (read.type !== 'SecureString') return { decision: 'not-secure-string', reason: `${parameter} is a ${read.type} parameter, not a SecureString: it is not rotated as a secret` };
  if (read.version > leakedVersion) return { decision: 'already-rotated', reason: `${parameter} is at version ${read.version}, after the leaked version ${leakedVersion}: it was rotated already` };
  if (read.version < leakedVersion) return { decision: 'unknown-version', reason: `${parameter} is at version ${read.version}: it has no version ${leakedVersion} yet, so the start names the wrong version` };
  return { decision: 'rotate', reason: `${parameter} is at version ${read.version}, the leaked one` };
}

/** Seed 000's `openssl rand -hex 32`: 32 random bytes, hex. It lives in the rotating function's memory only. */
export const newSecretValue = (): string => randomBytes(32).toString('hex');
