import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SecureParameterClient } from '../../../lambdas/aws/secure-parameter';
import { InvalidInput, TargetNotAllowed, TargetNotFound } from '../../../lambdas/shared/errors';
import { leakedSecretOf, newSecretValue, rotationPlan, type ConfiguredSecret } from '../../../runbooks/credential-exposure/leaked-secret';
import { incident } from '../../support/fixtures';

const SECRET = '/alphaswarm/prod/cloudfront_origin_secret';
const KEY = 'arn:aws:kms:sa-east-1:111122223333:key/0f1e2d3c-4b5a-4697-8899-aabbccddeeff';
const configured: ConfiguredSecret = { parameter: SECRET, keyId: KEY, services: ['c/admin'] };
const secrets = (parameter: string) => {
  if (parameter !== SECRET) throw new TargetNotAllowed(`${parameter} is not configured`);
  return configured;
};
const started = (target: string, occurrence?: string) => incident({ runbook: 'credential-exposure', target, source: { name: 'manual start by ci', ...(occurrence ? { occurrence } : {}) } });

describe('rotationPlan: only the leaked version, still current, is rotated', () => {
  test.each([
    [{ type: 'SecureString', version: 4 }, 'rotate', 'at version 4, the leaked one'],
    [{ type: 'SecureString', version: 5 }, 'already-rotated', 'at version 5, after the leaked version 4: it was rotated already'],
    [{ type: 'SecureString', version: 3 }, 'unknown-version', 'has no version 4 yet'],
    [{ type: 'String', version: 4 }, 'not-secure-string', 'a String parameter, not a SecureString'],
  ])('%j -> %s', (read, decision, reason) => {
    const plan = rotationPlan(SECRET, read, 4);
    expect(plan.decision).toBe(decision);
    expect(plan.reason).toContain(reason);
  });
});

describe('leakedSecretOf', () => {
  test('the target is a configured parameter, the occurrence its leaked version', () => {
    expect(leakedSecretOf(started(SECRET, '4'), secrets)).toEqual({ ...configured, leakedVersion: 4 });
  });
  test('an unconfigured parameter, or no version, changes nothing and says why', () => {
    expect(() => leakedSecretOf(started('/other', '4'), secrets)).toThrow(TargetNotAllowed);
    expect(() => leakedSecretOf(started(SECRET, 'AKIAIOSFODNN7EXAMPLE'), secrets)).toThrow(InvalidInput);
    expect(() => leakedSecretOf(started(SECRET), secrets)).toThrow(/names no leaked version of \/alphaswarm\/prod\/cloudfront_origin_secret/);
  });
});

test("a new value is seed 000's openssl rand -hex 32: 64 hex digits, different each time", () => {
  const [a, b] = [newSecretValue(), newSecretValue()];
  expect(a).toMatch(/^[0-9a-f]{64}$/);
  expect(a).not.toBe(b);
});

describe('SecureParameterClient', () => {
  const ssm = mockClient(SSMClient);
  beforeEach(() => ssm.reset());

  test('reads the type and version without decryption', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: SECRET, Type: 'SecureString', Version: 4, Value: 'AQICAHh...ciphertext' } });
    await expect(new SecureParameterClient().version(SECRET)).resolves.toEqual({ type: 'SecureString', version: 4 });
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: SECRET, WithDecryption: false }]);
  });

  test('writes a SecureString version with the named key, overwriting, and returns the version', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 5 });
    await expect(new SecureParameterClient().writeVersion(SECRET, 'v', KEY)).resolves.toBe(5);
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: SECRET, Value: 'v', Type: 'SecureString', KeyId: KEY, Overwrite: true }]);
  });

  test('a missing parameter is TargetNotFound, naming it', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    await expect(new SecureParameterClient().version(SECRET)).rejects.toThrow(TargetNotFound);
    await expect(new SecureParameterClient().version(SECRET)).rejects.toThrow(`SSM parameter ${SECRET} does not exist (GetParameter)`);
  });
});
