/**
 * The kill-switch step with every log line kept (DEBUG): the token goes in the Authorization header
 * of each POST and nowhere else, whatever the endpoints answer; each POST is a ledger row that
 * names the secret, not its value.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsThrottled } from '../../../lambdas/shared/errors';
import { Ledger } from '../../../lambdas/shared/ledger';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const secrets = mockClient(SecretsManagerClient);
const TOKEN = 'ks-unit-token-9f8e7d6c5b4a-never-printed';
const SCOPES = { prod: {
  environment: 'prod', gateway: { gatewayId: 'g-0000000000', roleArn: 'r', haltPolicyEngineArn: 'e' }, proxy: { cluster: 'c', service: 's' },
  killSwitch: { baseUrl: 'https://api.example.com', paths: ['/portfolio/kill_switch', '/workloads/halt'], secretId: 'alphaswarm/prod/kill-switch-token', timeoutSeconds: 5 },
} };
const harness = ledgerHarness('b', { env: { HALT_SCOPES: JSON.stringify(SCOPES) } });
let ledger: Ledger;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<{ posts: { path: string; status: string }[]; allHalted: boolean }>;
const written: string[] = [];
let logLevel: string | undefined;

beforeAll(async () => {
  ledger = harness.ledger;
  logLevel = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
  handler = (await import('../../../runbooks/agentcore-halt/handlers/kill-switch')).handler as unknown as typeof handler;
});
// The environment is the worker's: the next test file logs as it did.
afterAll(() => {
  jest.restoreAllMocks();
  if (logLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = logLevel;
});

test('each POST carries the token read from the secret; a refusal and an unanswered POST are reported; no log line or ledger row holds the token', async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: TOKEN });
  const answers: Record<string, () => Promise<Response>> = {
    '/portfolio/kill_switch': async () => new Response(JSON.stringify({ detail: `bad token ${TOKEN}` }), { status: 401 }),
    '/workloads/halt': async () => new Response(JSON.stringify({ status: 'halted', alreadyHalted: false }), { status: 200 }),
  };
  const sent: { url: string; authorization: string }[] = [];
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
    sent.push({ url: String(url), authorization: String((init?.headers as Record<string, string> | undefined)?.authorization) });
    return answers[new URL(String(url)).pathname]!();
  });
  const id = harness.nextIncidentId();
  const out = await handler({ incident: incident({ id, runbook: 'agentcore-halt', target: 'prod' }), execution: { id: EXECUTION_ARN } }, lambdaContext);

  expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: 'alphaswarm/prod/kill-switch-token' }]);
  expect(sent).toEqual([
    { url: 'https://api.example.com/portfolio/kill_switch', authorization: `Bearer ${TOKEN}` },
    { url: 'https://api.example.com/workloads/halt', authorization: `Bearer ${TOKEN}` },
  ]);
  expect(out).toMatchObject({ allHalted: false, posts: [{ path: '/portfolio/kill_switch', status: 'failed' }, { path: '/workloads/halt', status: 'halted' }] });
  const rows = await ledger.listActions(id);
  expect(rows.map((r) => [r.target, r.status])).toEqual([['/portfolio/kill_switch', 'failed'], ['/workloads/halt', 'succeeded']]);
  expect(rows[0]!.parameters).toEqual({ method: 'POST', url: 'https://api.example.com/portfolio/kill_switch', authorization: 'Bearer (the token in secret alphaswarm/prod/kill-switch-token)' });

  // Then every answer lost: the step fails to be retried, after trying each endpoint.
  jest.spyOn(globalThis, 'fetch').mockRejectedValue(Object.assign(new Error(`connect ECONNREFUSED (${TOKEN})`), { name: 'TypeError' }));
  await expect(handler({ incident: incident({ id: harness.nextIncidentId(), runbook: 'agentcore-halt', target: 'prod' }), execution: { id: EXECUTION_ARN } }, lambdaContext))
    .rejects.toMatchObject({ name: 'AwsUnavailable' });

  expect(written.join('')).toContain('Kill-switch POST failed');
  expect(written.join('')).not.toContain(TOKEN);
  expect(JSON.stringify([rows, out])).not.toContain(TOKEN);
});

test("a POST whose ledger row is throttled is not sent and not reported refused: the other is POSTed, and the step fails to be retried", async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: TOKEN });
  const sent: string[] = [];
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (url) => {
    sent.push(new URL(String(url)).pathname);
    return new Response(JSON.stringify({ status: 'halted' }), { status: 200 });
  });
  const intent = jest.spyOn(Ledger.prototype, 'recordIntent').mockRejectedValueOnce(new AwsThrottled('ledger PutItemCommand: ThrottlingException'));
  const id = harness.nextIncidentId();
  await expect(handler({ incident: incident({ id, runbook: 'agentcore-halt', target: 'prod' }), execution: { id: EXECUTION_ARN } }, lambdaContext))
    .rejects.toMatchObject({ name: 'AwsThrottled' });
  expect(intent).toHaveBeenCalledTimes(2);
  expect(sent).toEqual(['/workloads/halt']);
  expect((await ledger.listActions(id)).map((r) => [r.target, r.status])).toEqual([['/workloads/halt', 'succeeded']]);
  intent.mockRestore();
});
