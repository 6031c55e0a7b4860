/**
 * `status`, `history` and `approvals` of a deployed stack: the ledger is dynalite (a real DynamoDB)
 * written by the ledger's and the approval store's own code; the switches come from SSM (mocked).
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { tally } from '../../../lambdas/domain/approval';
import { Ledger } from '../../../lambdas/shared/ledger';
import { enabledRunbooks } from '../../../lib/catalog';
import { loadConfig } from '../../../lib/config/load';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';
import { autopilot, oneLineError } from './run';

const ssm = mockClient(SSMClient);
const PREFIX = '/runbook-autopilot/prod';
const FN = 'cabruca-segmentation-prod-researcher-agent';
const TABLE = 'cabruca-segmentation-prod-agent-tasks';
const exec = (runbook: string, name: string) => `arn:aws:states:sa-east-1:123456789012:execution:runbook-autopilot-prod-${runbook}:${name}`;
const ID = { running: 'inc-000000000000000a', remediated: 'inc-000000000000000b', rejected: 'inc-000000000000000c', undoing: 'inc-000000000000000d' };

let dynamo: LocalDynamo;
const saved = { ...process.env };
let requestId: string;

/** A clock per write: the ledger's timestamps say what happened in which order. */
const at = (minute: number) => () => new Date(Date.UTC(2026, 10, 3, 3, minute));

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedgerTable('ledger-prod');
  Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  const ledger = (minute: number) => new Ledger('ledger-prod', dynamo.client, at(minute));
  const incident = (id: string, runbook: string, target: string, minute: number) => ledger(minute).claimIncident({
    incidentId: id, runbook, target, dedupeKey: `alarm|${id}`, executionArn: exec(runbook, id), summary: `alarm on ${target}`, firedAt: at(minute)().toISOString(),
  });
  // Remediated at 03:01-03:03: one action.
  await incident(ID.remediated, 'dynamodb-throttling', TABLE, 1);
  await ledger(2).recordIntent({ incidentId: ID.remediated, actionKey: 'switch#UpdateTable#t', runbook: 'dynamodb-throttling', operation: 'dynamodb:UpdateTable', target: TABLE, executionArn: exec('dynamodb-throttling', ID.remediated), before: 'PROVISIONED' });
  await ledger(3).completeAction(ID.remediated, 'switch#UpdateTable#t', 'PAY_PER_REQUEST');
  await ledger(3).finishIncident(ID.remediated, exec('dynamodb-throttling', ID.remediated), 'remediated', 'table switched to on-demand; alarm back to OK');
  // Rejected at 03:04.
  await ledger(4).recordRejection({ incidentId: ID.rejected, runbook: 'lambda-runaway', executionArn: exec('lambda-runaway', 'bad'), summary: 'input rejected at admission', reason: 'input is neither ...' });
  // Failed at 03:05, its undo running since 03:06.
  await incident(ID.undoing, 'scale-out', 'alphaswarm-cluster-prod/alphaswarm-worker-prod', 5);
  await ledger(5).finishIncident(ID.undoing, exec('scale-out', ID.undoing), 'failed', 'scale-in failed');
  await ledger(6).claimUndo(ID.undoing, 'arn:aws:states:sa-east-1:123456789012:execution:runbook-autopilot-prod-undo:u1', 'maria');
  // Running since 03:07: stopped the function at 03:08, waiting for two approvers since 03:09; alice approved.
  await incident(ID.running, 'lambda-runaway', FN, 7);
  await ledger(8).recordIntent({ incidentId: ID.running, actionKey: 'stop#PutFunctionConcurrency#f', runbook: 'lambda-runaway', operation: 'lambda:PutFunctionConcurrency', target: FN, executionArn: exec('lambda-runaway', ID.running), before: null });
  await ledger(8).completeAction(ID.running, 'stop#PutFunctionConcurrency#f', 0);
  requestId = 'apr-0123456789abcdef0123456789abcdef';
  const store = new ApprovalStore('ledger-prod', dynamo.client, at(9));
  await store.create({
    requestId, incidentId: ID.running, executionArn: exec('lambda-runaway', ID.running),
    gate: { runbook: 'lambda-runaway', step: 'restore', summary: `alarm on ${FN}`, firedAt: at(7)().toISOString(), operation: 'lambda:PutFunctionConcurrency', target: FN, parameters: { ReservedConcurrentExecutions: 5 }, evidence: null, severity: 'P2' },
    level: 'L1', requiredApprovals: 2, approvers: ['oncall-primary', 'oncall-secondary'], startedBy: 'devops-lead',
    ifUnanswered: { nextLevel: 'L2', nextApprovers: ['engineering-lead'], onTimeout: 'abort' },
    taskToken: 'token', createdAt: at(9)().toISOString(), deadline: at(39)().toISOString(),
  });
  await store.decide(requestId, { approver: 'oncall-primary', decision: 'approved', at: at(10)().toISOString(), level: 'L1' }, (d) => tally(d, 2));
});
afterAll(async () => {
  process.env = { ...saved };
  await dynamo.close();
});

let switches: Record<string, string>;
beforeEach(() => {
  ssm.reset();
  switches = { [`${PREFIX}/ledger-table`]: 'ledger-prod', [`${PREFIX}/automation`]: 'enabled', [`${PREFIX}/runbooks/scale-out`]: 'disabled' };
  // Every other runbook prod enables is switched on.
  for (const r of enabledRunbooks(loadConfig('prod')).map((m) => m.name).filter((n) => n !== 'scale-out')) switches[`${PREFIX}/runbooks/${r}`] = 'enabled';
  ssm.on(GetParametersCommand).callsFake((input: { Names: string[] }) => ({
    Parameters: input.Names.filter((n) => n in switches).map((Name) => ({ Name, Value: switches[Name], Type: 'String' })),
    InvalidParameters: input.Names.filter((n) => !(n in switches)),
  }));
});

const json = async (...argv: string[]) => {
  const run = await autopilot('--env', 'prod', ...argv, '--json');
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

test('status: the switches (one runbook held), the incidents still worked on, the request waiting for whom, the last actions newest first', async () => {
  const status = await json('status');

  expect(status.source).toEqual({ kind: 'stack', environment: 'prod', stack: 'RunbookAutopilot-prod', region: 'sa-east-1', ledgerTable: 'ledger-prod' });
  expect(status.paused).toBe(false);
  const held = Object.entries((status.switches as { runbooks: Record<string, { holding: string | null }> }).runbooks).filter(([, s]) => s.holding !== null);
  expect(held).toEqual([['scale-out', { parameter: `${PREFIX}/runbooks/scale-out`, value: 'disabled', holding: `scale-out is switched off (${PREFIX}/runbooks/scale-out = disabled)` }]]);
  expect((status.open as { incidentId: string }[]).map((i) => i.incidentId)).toEqual([ID.running, ID.undoing]);
  expect(status.open).toContainEqual(expect.objectContaining({ incidentId: ID.undoing, status: 'failed', undo: { status: 'undoing', reason: null, executionArn: expect.stringContaining(':u1') } }));
  expect(status.waitingForApproval).toEqual([{
    requestId, incidentId: ID.running, runbook: 'lambda-runaway', step: 'restore', operation: 'lambda:PutFunctionConcurrency', target: FN, severity: 'P2', level: 'L1',
    requiredApprovals: 2, decided: [{ approver: 'oncall-primary', decision: 'approved', at: '2026-11-03T03:10:00.000Z' }], waitingFor: ['oncall-secondary'],
    startedBy: 'devops-lead', deadline: '2026-11-03T03:39:00.000Z', ifUnanswered: 'asked again at L2, adding engineering-lead',
    link: `https://sa-east-1.console.aws.amazon.com/states/home?region=sa-east-1#/v2/executions/details/${exec('lambda-runaway', ID.running)}`,
  }]);
  expect((status.lastActions as { operation: string; before: unknown; after: unknown; status: string }[]).map((a) => [a.operation, a.before, a.after, a.status])).toEqual([
    ['lambda:PutFunctionConcurrency', null, 0, 'succeeded'], ['dynamodb:UpdateTable', 'PROVISIONED', 'PAY_PER_REQUEST', 'succeeded'],
  ]);
});

test('status with the kill switch paused says so first; as text too', async () => {
  switches[`${PREFIX}/automation`] = 'paused';
  expect((await json('status')).paused).toBe(true);
  const text = await autopilot('--env', 'prod', 'status');
  expect(text.stdout.split('\n').slice(0, 2)).toEqual([
    'runbook-autopilot prod: stack RunbookAutopilot-prod in sa-east-1, ledger table ledger-prod',
    `PAUSED: automation is paused (${PREFIX}/automation = paused)`,
  ]);
  expect(text.stdout).toMatch(/^waiting for approval: 1\n {2}apr-0123456789abcdef0123456789abcdef {2}lambda-runaway\/restore \[P2, L1\]/m);
  // Within 120 columns; a console link is whole, or it would not open.
  expect(text.stdout.split('\n').filter((l) => [...l].length > 120 && !/^ {4}https:\/\/\S+$/.test(l))).toEqual([]);
});

test('history: every incident newest first with how it ended, --limit and --runbook narrow it', async () => {
  const all = (await json('history')).incidents as { incidentId: string; status: string; actions: number }[];
  expect(all.map((i) => [i.incidentId, i.status, i.actions])).toEqual([
    [ID.running, 'admitted', 1], [ID.undoing, 'failed', 0], [ID.rejected, 'rejected', 0], [ID.remediated, 'remediated', 1],
  ]);
  expect(((await json('history', '--limit', '2')).incidents as { incidentId: string }[]).map((i) => i.incidentId)).toEqual([ID.running, ID.undoing]);
  expect(((await json('history', '--runbook', 'dynamodb-throttling')).incidents as { incidentId: string; reason: string }[]))
    .toEqual([expect.objectContaining({ incidentId: ID.remediated, reason: 'table switched to on-demand; alarm back to OK' })]);
});

test('history <incident>: its record, its actions and its approval requests with their decisions', async () => {
  const detail = await json('history', ID.running);
  expect(detail).toMatchObject({
    incident: { incidentId: ID.running, status: 'admitted', runbook: 'lambda-runaway', target: FN },
    actions: [{ operation: 'lambda:PutFunctionConcurrency', before: null, after: 0, status: 'succeeded' }],
    approvals: [{ requestId, step: 'restore', level: 'L1', status: 'open', decisions: [{ approver: 'oncall-primary', decision: 'approved' }] }],
  });
  const missing = await autopilot('--env', 'prod', 'history', 'inc-ffffffffffffffff');
  expect(missing.code).toBe(1);
  expect(oneLineError(missing)).toBe('autopilot: no incident inc-ffffffffffffffff in the ledger (ledger-prod)');
  const calls = ssm.calls().length;
  const mistyped = await autopilot('--env', 'prod', 'history', 'inc-fff');
  expect(mistyped.code).toBe(2);
  expect(oneLineError(mistyped)).toBe('autopilot: not an incident id: "inc-fff" (inc-<16 hex digits>, as in a notification and the ledger)');
  expect(ssm.calls()).toHaveLength(calls);
});

test('approvals --as: only what that approver may still decide', async () => {
  expect(((await json('approvals', '--as', 'oncall-secondary')).waiting as { requestId: string }[]).map((w) => w.requestId)).toEqual([requestId]);
  expect((await json('approvals', '--as', 'oncall-primary')).waiting).toEqual([]);
  expect((await json('approvals', '--as', 'devops-lead')).waiting).toEqual([]);
});

test('a stack with no ledger parameter (not deployed there, or another region) is one line, exit 1', async () => {
  delete switches[`${PREFIX}/ledger-table`];
  const run = await autopilot('--env', 'prod', 'status');
  expect(run.code).toBe(1);
  expect(oneLineError(run)).toBe(`autopilot: no ${PREFIX}/ledger-table parameter in sa-east-1: deploy RunbookAutopilot-prod there (npx cdk deploy -c env=prod), or give the --region and --profile it is deployed with`);
});
