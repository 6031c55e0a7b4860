/**
 * Replay never acts twice, for the one call that is not idempotent: CreateBackup. The drill's first
 * CreateBackup takes effect but its answer is lost (the proxy's `applied-timeout` fault); the
 * state machine's Retry of `Back up the tasks table` reads the table's backups first, finds that
 * backup and adopts it (the row settled from it, no second call). The real
 * ASL, the real handlers, dynalite behind the drill's proxy, one sandbox for this file.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { readInputFile } from '../../drill/inputs';
import type { DrillResult } from '../../drill/result';
import { STUCK_TASK_IDS } from '../../drill/sandbox';
import { runDrill } from './run-drill';
import { useDrillSandbox } from './drill-harness';

const TABLE = 'cabruca-segmentation-prod-agent-tasks';

const harness = useDrillSandbox({ faults: [{ service: 'dynamodb', operation: 'CreateBackup', error: 'applied-timeout' }] });
let r: DrillResult;

beforeAll(async () => {
  r = await harness.drill.handle(readInputFile('events/dynamodb-throttling.alarm.json'));
});

test('the run remediates, and the backup step was retried by the state machine', () => {
  expect(r).toMatchObject({ runbook: 'dynamodb-throttling', outcome: 'remediated' });
  expect(r.timeline).toContainEqual(expect.objectContaining({ state: 'Back up the tasks table', event: 'retried' }));
  expect(r.timeline).toContainEqual(expect.objectContaining({ state: 'Back up the tasks table', event: 'done', detail: expect.stringContaining('"adopted":true') }));
});

test('exactly one backup exists: the one the lost call made, named after the incident, holding every stuck task', () => {
  const backups = harness.drill.backups();
  expect(backups.map((b) => [b.tableName, b.backupName])).toEqual([[TABLE, `stuck-tasks-${r.incidentId}`]]);
  const held = backups[0]!.items.map((i) => unmarshall(i).task_id as string);
  expect(held).toEqual(expect.arrayContaining([...STUCK_TASK_IDS]));
});

test('the ledger row names the adopted backup: one row, one call, settled from the table\'s backups with that backup', async () => {
  const [taken] = harness.drill.backups();
  const rows = (await harness.drill.ledger.listActions(r.incidentId!)).filter((a) => a.operation === 'dynamodb:CreateBackup');
  expect(rows).toEqual([expect.objectContaining({
    status: 'succeeded', attempts: 1, reconciledAt: expect.any(String), before: { stuckTasks: STUCK_TASK_IDS.length },
    after: expect.objectContaining({ backupArn: taken!.backupArn, backupName: `stuck-tasks-${r.incidentId}`, adopted: true }),
  })]);
});

test('the delete proceeds with that backup: its row of intent names it, and exactly the stuck tasks are deleted', () => {
  const [taken] = harness.drill.backups();
  expect(r.actions.map((a) => a.operation)).toEqual(['dynamodb:UpdateTable', 'dynamodb:CreateBackup', 'dynamodb:DeleteItem']);
  const remove = r.actions[2]!;
  expect(remove).toMatchObject({ status: 'succeeded', auditedBeforeCall: true, before: { backupArn: taken!.backupArn } });
  expect((remove.after as { deleted: { task_id: string }[] }).deleted.map((k) => k.task_id).sort()).toEqual([...STUCK_TASK_IDS].sort());
  expect(r.resources.after[TABLE]).toMatchObject({ items: 7 - STUCK_TASK_IDS.length });
});

test('from the command line: --fault dynamodb:CreateBackup=applied-timeout, the run adopts the backup and says so', async () => {
  const { code, results: [cli] } = await runDrill(['dynamodb-throttling', '--fault', 'dynamodb:CreateBackup=applied-timeout', '--json']);
  expect(code).toBe(0);
  expect(cli).toMatchObject({ outcome: 'remediated' });
  const created = cli!.actions.find((a) => a.operation === 'dynamodb:CreateBackup')!;
  expect(created).toMatchObject({ status: 'succeeded', auditedBeforeCall: true, after: { adopted: true, backupName: `stuck-tasks-${cli!.incidentId}` } });
  expect(cli!.actions.find((a) => a.operation === 'dynamodb:DeleteItem')).toMatchObject({ before: { backupArn: (created.after as { backupArn: string }).backupArn } });
});
