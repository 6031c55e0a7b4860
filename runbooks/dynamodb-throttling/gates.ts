import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from '../../lambdas/shared/zod';
import type { GatePages, LiveRead } from '../../lambdas/approval/gate-words';
import { liveTable } from '../../lambdas/approval/live-state';
import { plural, utcClock, type GateWordsProvider } from '../../lambdas/approval/words';
import { itemKeySchema } from '../../lambdas/domain/item-keys';
import { LazyClient } from '../../lambdas/shared/lazy-sdk';
import { dynamoDbSdk } from '../../lambdas/shared/sdk-modules';
import { liveTasks, stuckTaskTablesSchema, type LiveTasks } from './live-tasks';

interface DeleteEvidence {
  readonly stuckTasks?: { count?: number; cutoff?: number; reason?: string };
  readonly backup?: { backupName?: string; backupStatus?: string; backupSizeBytes?: number };
}

interface TableNow {
  readonly status?: string | null;
  readonly billingMode?: string | null;
  readonly tasks?: LiveTasks;
  readonly unreadable?: string;
}

function tasksNow(live: unknown, counted: string): string {
  if (live === undefined) return counted;
  const now = live as TableNow;
  if (now.unreadable) return `${counted}; the table could not be read just now (${now.unreadable})`;
  const table = `table ${now.status ?? 'status unknown'}, ${now.billingMode === 'PAY_PER_REQUEST' ? 'on-demand' : (now.billingMode ?? 'mode unknown')}`;
  const t = now.tasks;
  if (!t) return `${counted}; ${table}`;
  const moved = [
    t.changed.length ? `${t.changed.length} picked up since (it will be skipped)` : '',
    t.gone.length ? `${t.gone.length} already gone` : '',
    t.unread.length ? `${t.unread.length} not readable now` : '',
  ].filter(Boolean);
  return `${t.stillPending} of ${plural(t.approvedKeys, 'task')} still pending now${moved.length ? `, ${moved.join(', ')}` : ''}; ${table}`;
}

/**
 * dynamodb-throttling's delete-stuck gate (seed 003 §2 "Clear stuck tasks"): after the switch to
 * on-demand and a backup, may the tasks stuck in pending be deleted?
 */
export const deleteStuckApprovalWords: GateWordsProvider = ({ gate, live }) => {
  const keys = Array.isArray(gate.parameters.Keys) ? gate.parameters.Keys.length : 0;
  const evidence = (gate.evidence ?? {}) as DeleteEvidence;
  const backup = evidence.backup;
  const cutoff = typeof evidence.stuckTasks?.cutoff === 'number' ? utcClock(new Date(evidence.stuckTasks.cutoff * 1000).toISOString()) : null;
  const counted = evidence.stuckTasks?.reason ?? `${plural(keys, 'stuck task')} counted`;
  const restorable = backup?.backupStatus === 'AVAILABLE';
  return {
    headline: `Delete ${plural(keys, 'stuck task')} from ${gate.target}?`,
    now: tasksNow(live, counted),
    risk: `their pending work is dropped: no worker will run them. ${restorable
      ? `Backup ${backup?.backupName ?? ''} holds them (AVAILABLE)`
      : `The backup is ${backup?.backupStatus ?? 'missing'}: not restorable yet`}, and the ledger keeps each full item before its delete.`,
    approve: `deletes the ${plural(keys, 'task')}, each only if it is still pending${cutoff ? ` and older than ${cutoff}` : ''}; npm run undo can put them back from the ledger.`,
    reject: 'the tasks stay as they are (the table stays on-demand) and the run escalates, so a human looks at them.',
    unanswered: 'the tasks are kept',
  };
};

const dynamodb = new LazyClient(dynamoDbSdk, (m): DynamoDBClient => new m.DynamoDBClient({}));
const keysSchema = z.array(itemKeySchema).check(z.minLength(1));

/**
 * The table now and, for a gated delete of stuck tasks, those tasks: how many are still pending
 * (STUCK_TASK_TABLES, in the page's environment, says what pending is on each tasks table).
 */
const liveStuckTasks: LiveRead = async (gate, environment) => {
  const state = await liveTable(gate.target);
  const spec = stuckTaskTablesSchema.parse(JSON.parse(environment.STUCK_TASK_TABLES ?? '{}'))[gate.target];
  const keys = keysSchema.safeParse(gate.parameters.Keys);
  if (gate.operation !== 'dynamodb:DeleteItem' || !spec || !keys.success) return state;
  return { ...state, tasks: await liveTasks((await dynamodb.get()).client, gate.target, keys.data, spec) };
};

/** The approval page's words and live read for each gated step. */
export const GATES: GatePages = { 'delete-stuck': { words: deleteStuckApprovalWords, live: liveStuckTasks } };
