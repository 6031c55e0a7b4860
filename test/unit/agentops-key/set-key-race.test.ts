/**
 * Setting the key against someone else's change of the same function's environment, at any point:
 * the function's RevisionId is the one record that arbitrates, so their variables are never
 * overwritten by the merge, and neither the ledger row nor the step's result holds the key's value.
 */
import 'aws-sdk-client-mock-jest';
import { GetFunctionConfigurationCommand, LambdaClient, PreconditionFailedException, UpdateFunctionConfigurationCommand, type UpdateFunctionConfigurationCommandInput } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { ApprovalStore } from '../../../lambdas/approval/store';
import type { Ledger } from '../../../lambdas/shared/ledger';
import { seedApprovalRequest } from '../../support/approval-requests';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const lambda = mockClient(LambdaClient);
const secrets = mockClient(SecretsManagerClient);
const FN = 'cabruca-segmentation-prod-qa-agent';
const SECRET = 'cabruca-segmentation/prod/agentops';
const KEY = 'ao-unit-7e1d44c0a9b3-NEVER-RECORDED';
const GATE = { FunctionNames: [FN], Variable: 'AGENTOPS_API_KEY', SecretId: SECRET };
let ledger: Ledger;
let store: ApprovalStore;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;
let seq = 0;

const harness = ledgerHarness('0', {
  env: {
    ALLOWED_TARGETS: JSON.stringify([FN]), AGENT_FUNCTIONS: JSON.stringify([FN]), KEY_VARIABLE: 'AGENTOPS_API_KEY',
    KEY_SECRET_ID: SECRET, KEY_SECRET_FIELD: 'AGENTOPS_API_KEY', SET_ON_TIMEOUT: 'abort',
  },
});
beforeAll(async () => {
  ledger = harness.ledger;
  store = new ApprovalStore('ledger', harness.dynamo.client);
  handler = (await import('../../../runbooks/agentops-key/handlers/set-key')).handler as typeof handler;
});
beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({ SecretString: JSON.stringify({ AGENTOPS_API_KEY: KEY }) });
});

test('the key set and a deploy of new variables to the same function, the deploy landing before, between or after the runbook\'s read and write: the deploy is never overwritten, and no record holds the key', async () => {
  // The runbook's own I/O (approval, secret, ledger) is not the scheduler's, so the deploy is placed at each of the runbook's Lambda calls.
  await fc.assert(fc.asyncProperty(fc.constantFrom('before the read', 'between the read and the write', 'after the write'), fc.boolean(), async (at, deployNamesRevision) => {
    const incidentId = `inc-${(++seq).toString(16).padStart(16, '0')}`;
    const requestId = await seedApprovalRequest(store, {
      requestId: `apr-${seq.toString(16).padStart(32, '0')}`, incidentId, status: 'approved',
      gate: { runbook: 'agentops-key', step: 'set-key', summary: 's', firedAt: 'f', operation: 'lambda:UpdateFunctionConfiguration', target: FN, parameters: GATE, evidence: null, severity: 'P3' },
    });
    // The function as Lambda holds it: every applied update replaces the variables and moves the RevisionId on.
    let fn = { variables: { ENVIRONMENT: 'prod' } as Record<string, string>, revision: 'r0' };
    let revisions = 0;
    const applied: string[] = [];
    const update = (by: string, variables: Record<string, string>, revision: string | undefined) => {
      if (revision !== undefined && revision !== fn.revision) throw new PreconditionFailedException({ message: 'The Revision Id provided does not match the latest Revision Id.', $metadata: { httpStatusCode: 412 } });
      fn = { variables: { ...variables }, revision: `r${++revisions}` };
      applied.push(by);
    };
    // A deploy: writes the variables it was built with (with the RevisionId it read, or none).
    const deploy = () => update('deploy', { ENVIRONMENT: 'prod', RELEASE: '42' }, deployNamesRevision ? fn.revision : undefined);
    lambda.reset();
    lambda.on(GetFunctionConfigurationCommand).callsFake(() => {
      if (at === 'before the read') deploy();
      return { Environment: { Variables: { ...fn.variables } }, RevisionId: fn.revision, LastUpdateStatus: 'Successful' };
    });
    lambda.on(UpdateFunctionConfigurationCommand).callsFake((input: UpdateFunctionConfigurationCommandInput) => {
      if (at === 'between the read and the write') deploy();
      update('runbook', input.Environment?.Variables ?? {}, input.RevisionId);
      return { RevisionId: fn.revision, LastUpdateStatus: 'InProgress' };
    });

    const outcome = await handler({ incident: incident({ id: incidentId, runbook: 'agentops-key', target: FN }), execution: { id: EXECUTION_ARN }, functions: [FN], approval: { decision: 'approved', requestId } }, lambdaContext)
      .then((r) => ({ ok: r }), (e: unknown) => ({ error: (e as Error).name }));
    if (at === 'after the write') deploy();

    // Whatever the order, the deploy is still there after the runbook's write: it was read first, or the write was refused.
    if (at !== 'after the write') expect(fn.variables.RELEASE).toBe('42');
    expect(applied.filter((by) => by === 'runbook').length).toBeLessThanOrEqual(1);
    if (at === 'between the read and the write') expect(outcome).toEqual({ error: 'ChangeRejected' });
    else expect(applied).toContain('runbook');
    const row = await ledger.getAction(incidentId, `set-key#lambda:UpdateFunctionConfiguration#${FN}`);
    expect(row?.status).toBe(applied.includes('runbook') ? 'succeeded' : 'failed');
    expect(JSON.stringify(row)).not.toContain(KEY);
    expect(JSON.stringify(outcome)).not.toContain(KEY);
  }), { numRuns: 12 });
});

test('the write carries every variable read, the key merged in, and names the RevisionId read; the row records names and digests only', async () => {
  lambda.reset();
  lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: { ENVIRONMENT: 'prod', DB_PASSWORD: 'hunter2-unit' } }, RevisionId: 'rev-a', LastUpdateStatus: 'Successful' });
  lambda.on(UpdateFunctionConfigurationCommand).resolves({ RevisionId: 'rev-b', LastUpdateStatus: 'InProgress' });
  const incidentId = `inc-${(++seq).toString(16).padStart(16, '0')}`;
  const requestId = await seedApprovalRequest(store, {
    requestId: `apr-${seq.toString(16).padStart(32, '0')}`, incidentId, status: 'approved',
    gate: { runbook: 'agentops-key', step: 'set-key', summary: 's', firedAt: 'f', operation: 'lambda:UpdateFunctionConfiguration', target: FN, parameters: GATE, evidence: null, severity: 'P3' },
  });
  const out = await handler({ incident: incident({ id: incidentId, runbook: 'agentops-key', target: FN }), execution: { id: EXECUTION_ARN }, functions: [FN], approval: { decision: 'approved', requestId } }, lambdaContext);
  expect(lambda).toHaveReceivedCommandWith(GetFunctionConfigurationCommand, { FunctionName: FN });
  expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET });
  expect(lambda.commandCalls(UpdateFunctionConfigurationCommand).map((c) => c.args[0].input)).toEqual([{
    FunctionName: FN, RevisionId: 'rev-a', Environment: { Variables: { ENVIRONMENT: 'prod', DB_PASSWORD: 'hunter2-unit', AGENTOPS_API_KEY: KEY } },
  }]);
  const row = await ledger.getAction(incidentId, `set-key#lambda:UpdateFunctionConfiguration#${FN}`);
  expect(row).toMatchObject({ status: 'succeeded', before: { variables: { DB_PASSWORD: expect.stringMatching(/^sha256:[0-9a-f]{16}$/), ENVIRONMENT: expect.any(String) }, revisionId: 'rev-a' } });
  expect(Object.keys((row!.after as { variables: object }).variables)).toEqual(['AGENTOPS_API_KEY', 'DB_PASSWORD', 'ENVIRONMENT']);
  for (const value of [KEY, 'hunter2-unit']) {
    expect(JSON.stringify(row)).not.toContain(value);
    expect(JSON.stringify(out)).not.toContain(value);
  }
});

test('a function that was given the key by someone since the diagnosis is not overwritten', async () => {
  lambda.reset();
  lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: { AGENTOPS_API_KEY: 'set-by-hand' } }, RevisionId: 'rev-a', LastUpdateStatus: 'Successful' });
  const incidentId = `inc-${(++seq).toString(16).padStart(16, '0')}`;
  const requestId = await seedApprovalRequest(store, {
    requestId: `apr-${seq.toString(16).padStart(32, '0')}`, incidentId, status: 'approved',
    gate: { runbook: 'agentops-key', step: 'set-key', summary: 's', firedAt: 'f', operation: 'lambda:UpdateFunctionConfiguration', target: FN, parameters: GATE, evidence: null, severity: 'P3' },
  });
  await expect(handler({ incident: incident({ id: incidentId, runbook: 'agentops-key', target: FN }), execution: { id: EXECUTION_ARN }, functions: [FN], approval: { decision: 'approved', requestId } }, lambdaContext))
    .rejects.toMatchObject({ name: 'ChangeRejected' });
  expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)).toEqual([]);
});
