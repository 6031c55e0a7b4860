import { SERVICE_REGISTRY, sandboxEndpointEnv } from '../../drill/sandbox';

// That each SDK client reads its registered variable, and reaches the sandbox through it, is in
// checklist.test.ts, for every registered service.

test('the environment points every registered service at the sandbox', () => {
  const env = sandboxEndpointEnv('http://127.0.0.1:1');

  for (const entry of SERVICE_REGISTRY) expect(env[entry.endpointVariable]).toBe('http://127.0.0.1:1');
  expect(env.AWS_ENDPOINT_URL_DYNAMODB).toBeUndefined();
});

test('the environment names the sandbox region and a DynamoDB endpoint when given one', () => {
  const env = sandboxEndpointEnv('http://127.0.0.1:1', { dynamodb: 'http://127.0.0.1:2' });

  expect(env).toMatchObject({ AWS_REGION: 'sa-east-1', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2', AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:1' });
  expect(env.AWS_ACCESS_KEY_ID).toBeTruthy();
  expect(env.AWS_SECRET_ACCESS_KEY).toBeTruthy();
});
