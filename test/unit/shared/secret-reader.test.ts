/**
 * The secret readers (agentops-key's key, agentcore-halt's kill-switch token) over one Secrets
 * Manager reader whose module is loaded at its first read: a secret that does not exist is told
 * apart (by the error's name) from one that holds nothing and from a call that failed.
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { KeySecret, KeySecretUnavailable } from '../../../runbooks/agentops-key/key-secret';
import { KillSwitchClient } from '../../../runbooks/agentcore-halt/kill-switch';
import { AwsThrottled, TargetNotFound } from '../../../lambdas/shared/errors';

const secrets = mockClient(SecretsManagerClient);
const gone = () => new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });

beforeAll(() => {
  process.env.AWS_REGION = 'sa-east-1';
});
beforeEach(() => secrets.reset());

test('the key is the secret\'s field when one is named, its whole text otherwise, read by the secret\'s id', async () => {
  secrets.on(GetSecretValueCommand, { SecretId: 'agentops/key' }).resolves({ SecretString: JSON.stringify({ API_KEY: 'k-123' }) });
  await expect(new KeySecret('agentops/key', 'API_KEY').read()).resolves.toBe('k-123');
  secrets.on(GetSecretValueCommand, { SecretId: 'agentops/plain' }).resolves({ SecretString: 'k-plain' });
  await expect(new KeySecret('agentops/plain', undefined).read()).resolves.toBe('k-plain');
  expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: 'agentops/key' }, { SecretId: 'agentops/plain' }]);
});

test('a secret that does not exist, one without the field and one without text are each KeySecretUnavailable, naming the secret', async () => {
  secrets.on(GetSecretValueCommand, { SecretId: 'gone' }).rejects(gone());
  await expect(new KeySecret('gone', undefined).read()).rejects.toThrow(new KeySecretUnavailable('the secret gone does not exist'));
  secrets.on(GetSecretValueCommand, { SecretId: 'other-field' }).resolves({ SecretString: JSON.stringify({ OTHER: 'x' }) });
  await expect(new KeySecret('other-field', 'API_KEY').read()).rejects.toThrow(new KeySecretUnavailable('the secret other-field holds no key in its field API_KEY'));
  secrets.on(GetSecretValueCommand, { SecretId: 'binary' }).resolves({ SecretBinary: new Uint8Array([1]) });
  await expect(new KeySecret('binary', undefined).read()).rejects.toThrow(new KeySecretUnavailable('the secret binary holds no key'));
});

test('the kill-switch token: a secret that does not exist or holds nothing is TargetNotFound; throttling stays retryable', async () => {
  secrets.on(GetSecretValueCommand, { SecretId: 'gone' }).rejects(gone());
  await expect(new KillSwitchClient().token('gone')).rejects.toThrow(new TargetNotFound('the kill-switch secret gone does not exist'));
  secrets.on(GetSecretValueCommand, { SecretId: 'blank' }).resolves({ SecretString: '  ' });
  await expect(new KillSwitchClient().token('blank')).rejects.toThrow(new TargetNotFound('the kill-switch secret blank holds no token'));
  secrets.on(GetSecretValueCommand, { SecretId: 'busy' }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
  await expect(new KillSwitchClient().token('busy')).rejects.toBeInstanceOf(AwsThrottled);
  secrets.on(GetSecretValueCommand, { SecretId: 'ok' }).resolves({ SecretString: ' t-1 \n' });
  await expect(new KillSwitchClient().token('ok')).resolves.toBe('t-1');
});
