/**
 * dynamodb-throttling's gate before deleting stuck tasks, read from the deployed ASL and the
 * catalog: the delete is reachable only through the approval Choice, asked only once the backup
 * is AVAILABLE, and never on a timeout unless the gate is configured to proceed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gateSettings } from '../../lambdas/domain/approval-gates';
import { expectDryRunBypassOnly } from './gate-paths';
import { loadConfig } from '../../lib/config/load';
import { approvalGates, buildCatalog, literalArns } from '../../lib/catalog';

interface Rule { Next: string; Variable?: string; StringEquals?: string; And?: Rule[]; Not?: Rule; IsPresent?: boolean }
interface State {
  Type: string; Next?: string; Default?: string; Resource?: string; Comment?: string;
  Parameters?: { FunctionName?: string; Payload?: { gate?: Record<string, unknown> } };
  Choices?: Rule[]; Catch?: { ErrorEquals: string[]; Next: string }[]; TimeoutSecondsPath?: string;
}
const asl = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'statemachines', 'dynamodb-throttling.asl.json'), 'utf8')) as { States: Record<string, State> };
const states = asl.States;
const ASK = 'Ask to delete stuck tasks: wait for approvers';

function predecessors(name: string): string[] {
  return Object.entries(states).filter(([, s]) => [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].includes(name)).map(([n]) => n);
}

test('the delete is reachable only through "Delete approved?", on approved or on a timeout marked proceed (or in a dry run, which deletes nothing, through the Choice on $.admission.dryRun); anything else keeps the tasks and escalates', () => {
  expect(predecessors('Delete stuck tasks').sort()).toEqual(['Delete approved?', 'Dry run: no approval asked']);
  expectDryRunBypassOnly(states, 'Dry run?');
  const choice = states['Delete approved?']!;
  expect(choice.Default).toBe('Escalate: stuck tasks kept, delete not approved');
  const toDelete = choice.Choices!.filter((c) => c.Next === 'Delete stuck tasks');
  expect(toDelete[0]).toMatchObject({ Variable: '$.approval.decision', StringEquals: 'approved' });
  expect(toDelete[1]!.And).toEqual(expect.arrayContaining([
    expect.objectContaining({ Variable: '$.approval.decision', StringEquals: 'timed-out' }),
    expect.objectContaining({ Variable: '$.approval.onTimeout', StringEquals: 'proceed' }),
  ]));
  expect(toDelete).toHaveLength(2);
  expect(states['Escalate: stuck tasks kept, delete not approved']!.Parameters!.Payload).toMatchObject({ outcome: 'escalated' });
});

test('the approvers are asked only once the backup is AVAILABLE, with the exact keys, the backup and the evidence; rejection and timeout are caught', () => {
  expect(predecessors('Prepare delete approval')).toEqual(['Backup available?']);
  const available = states['Backup available?']!.Choices!.find((c) => c.Next === 'Prepare delete approval')!;
  expect(available).toMatchObject({ Variable: '$.backupCheck.done' });
  expect(predecessors('Dry run?')).toEqual(['Prepare delete approval']);
  expect(predecessors(ASK).sort()).toEqual(['Dry run?', 'Re-send delete to L2', 'Re-send delete to L3']);
  const ask = states[ASK]!;
  expect(ask.Resource).toBe('arn:${Partition}:states:::lambda:invoke.waitForTaskToken');
  expect(ask.TimeoutSecondsPath).toBe('$.deleteApproval.timeoutSeconds');
  expect(ask.Parameters!.FunctionName).toBe('${ApprovalRequestFunctionArn}');
  expect(ask.Parameters!.Payload!.gate).toEqual({
    step: 'delete-stuck', operation: 'dynamodb:DeleteItem', 'target.$': '$.stuck.tableName',
    parameters: { 'TableName.$': '$.stuck.tableName', 'Keys.$': '$.stuck.keys', 'BackupArn.$': '$.backupCheck.backup.backupArn' },
    evidence: { 'stuckTasks.$': '$.stuck', 'backup.$': '$.backupCheck.backup', 'switch.$': '$.action', 'table.$': '$.check.table', 'alarm.$': '$.verify' },
  });
  expect(ask.Catch!.map((c) => [c.ErrorEquals[0], c.Next])).toEqual([
    ['ApprovalRejected', 'Delete rejected'], ['States.Timeout', 'Escalate delete approval?'],
  ]);
  expect(states['Escalate delete approval?']!.Default).toBe('Delete approval timed out');
  expect(states['Delete approval timed out']!.Next).toBe('Delete approved?');
});

test('catalog: the gate is P3 and aborts on timeout by default; its deadline fills the ASL; the delete handler knows its onTimeout', () => {
  const prod = loadConfig('prod');
  expect(approvalGates(prod)['dynamodb-throttling/delete-stuck']).toEqual({ severity: 'P3', onTimeout: 'abort', requiredApprovals: 2 });
  const catalog = buildCatalog(prod, literalArns('aws', 'sa-east-1', '111122223333'));
  const dt = catalog.find((r) => r.name === 'dynamodb-throttling')!;
  // Seed 003: P3 responds within 2 hours.
  expect(dt.substitutions.StuckDeleteApprovalTimeoutSeconds).toBe(String(prod.approvals.deadlineMinutes.P3 * 60));
  const request = dt.handlers.find((h) => h.id === 'DynamodbThrottlingApprovalRequest')!;
  // Every request handler carries every gate (one source file, one configuration); it picks by runbook and step.
  expect(gateSettings(JSON.parse(request.environment.APPROVAL_GATES!), prod.approvals.requiredApprovals)).toMatchObject({ 'dynamodb-throttling/delete-stuck': { severity: 'P3', onTimeout: 'abort', requiredApprovals: 2 } });
  expect(dt.handlers.find((h) => h.id === 'DynamodbThrottlingDeleteStuck')!.environment.DELETE_ON_TIMEOUT).toBe('abort');
  // Without a tasks table there is no gate.
  const noTasks = structuredClone(prod);
  delete (noTasks.runbooks['dynamodb-throttling'] as { stuckTasks?: unknown }).stuckTasks;
  expect(approvalGates(noTasks)['dynamodb-throttling/delete-stuck']).toBeUndefined();
});
