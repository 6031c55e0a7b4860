/**
 * Writing an incident's report: the ledger (dynalite) arbitrates which incident a key holds, the
 * sandbox's S3 takes the object with S3's rules. Two incidents of one runbook and target on one day
 * get two reports, whatever the interleaving (fast-check's scheduler through a proxy that makes each
 * DynamoDB request and answer a step); a rewrite of an incident goes to its own key.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { factsFromState } from '../../../lambdas/domain/report-facts';
import { ReportRecords } from '../../../lambdas/report/records';
import { incidentReport, reportBucketClient, writeIncidentReport, type ReportDestination } from '../../../lambdas/report/writer';
import { Ledger } from '../../../lambdas/shared/ledger';
import { seedAccountState, startSandbox, SANDBOX_CREDENTIALS, SANDBOX_REGION, type Sandbox } from '../../../drill/sandbox';
import { currentVersion } from '../../../drill/sandbox/s3';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';
import { schedulerGate, startSchedulingProxy, type SchedulingProxy } from '../../support/scheduling-proxy';
import { nthIncidentId } from '../../support/fixtures';

const TABLE = 'report-ledger';
const BUCKET = 'incident-reports';
const FN = 'cabruca-segmentation-prod-researcher-agent';
const EXEC = (name: string) => `arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-lambda-runaway:${name}`;

let dynamo: LocalDynamo;
let proxy: SchedulingProxy;
let sandbox: Sandbox;
let s3: S3Client;
beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedgerTable(TABLE);
  proxy = await startSchedulingProxy(dynamo.endpoint);
  sandbox = await startSandbox(seedAccountState((state) => {
    state.s3 = { buckets: { [BUCKET]: { owner: state.accountId, lambdaNotifications: [], versioning: 'Enabled' } } };
  }));
  s3 = new S3Client({ endpoint: sandbox.url, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
});
afterAll(async () => {
  s3.destroy();
  await sandbox.close();
  await proxy.close();
  await dynamo.close();
});

const ledger = () => new Ledger(TABLE, dynamo.client);
const destination = (client: DynamoDBClient = dynamo.client): ReportDestination => ({ records: new ReportRecords(TABLE, client), s3: reportBucketClient(s3), bucket: BUCKET });
const objects = () => sandbox.state.s3!.buckets[BUCKET]!.objects ?? {};

let seq = 0;
/** A new incident of lambda-runaway on FN, ended as `status`, fired on `day`. */
async function ended(day: string, status: 'remediated' | 'escalated' | 'admitted' = 'remediated'): Promise<string> {
  const id = nthIncidentId('a', ++seq);
  const exec = EXEC(`run-${seq}`);
  await ledger().claimIncident({ incidentId: id, runbook: 'lambda-runaway', target: FN, dedupeKey: id, executionArn: exec, summary: 'alarm went to ALARM', firedAt: `${day}T03:12:41.522+0000` });
  if (status !== 'admitted') await ledger().finishIncident(id, exec, status, `closed ${status}`);
  return id;
}

test('the first write claims the day\'s name; a rewrite of the same incident replaces that object (a new version), never another name', async () => {
  const id = await ended('2026-10-01');

  const first = await writeIncidentReport(destination(), id);
  const key = `incidents/2026-10-01-lambda-runaway-${FN}.md`;
  expect(first).toMatchObject({ written: true, key, reason: null });
  expect(await ledger().getIncident(id)).toMatchObject({ reportKey: key });

  await ledger().finishIncident(id, EXEC(`run-${seq}`), 'escalated', 'closed escalated after all');
  const again = await writeIncidentReport(destination(), id);
  expect(again).toMatchObject({ written: true, key });
  expect(again.versionId).not.toEqual(first.versionId);
  expect(objects()[key]!.map((v) => v.body.split('\n')[0])).toEqual([`# lambda-runaway on \`${FN}\`: remediated`, `# lambda-runaway on \`${FN}\`: escalated`]);
  expect(currentVersion(sandbox.state.s3!.buckets[BUCKET]!, key)).toMatchObject({ contentType: 'text/markdown; charset=utf-8', metadata: { 'incident-id': id, runbook: 'lambda-runaway' } });
  // A reader (a command line) gets the same page from the ledger, without S3.
  expect(await incidentReport(new ReportRecords(TABLE, dynamo.client), id)).toBe(currentVersion(sandbox.state.s3!.buckets[BUCKET]!, key)!.body);
  expect(await incidentReport(new ReportRecords(TABLE, dynamo.client), 'inc-ffffffffffffffff')).toBeUndefined();
});

test('a second incident of the runbook and target that day takes the next name; a third the one after', async () => {
  const [a, b, c] = [await ended('2026-10-02'), await ended('2026-10-02'), await ended('2026-10-02')];
  const keys = [];
  for (const id of [a, b, c]) keys.push((await writeIncidentReport(destination(), id)).key);
  const base = `incidents/2026-10-02-lambda-runaway-${FN}`;
  expect(keys).toEqual([`${base}.md`, `${base}-2.md`, `${base}-3.md`]);
  expect(keys.map((k) => currentVersion(sandbox.state.s3!.buckets[BUCKET]!, k!)!.metadata['incident-id'])).toEqual([a, b, c]);
});

test('an incident that has not ended, or that the ledger does not know, gets no report, and nothing is claimed', async () => {
  const running = await ended('2026-10-03', 'admitted');
  expect(await writeIncidentReport(destination(), running)).toEqual({ written: false, key: null, versionId: null, reason: `incident ${running} has not ended (admitted): its report is written when it does` });
  expect(await writeIncidentReport(destination(), 'inc-ffffffffffffffff')).toMatchObject({ written: false, reason: 'the ledger has no record of incident inc-ffffffffffffffff' });
  expect(Object.keys(objects()).filter((k) => k.includes('2026-10-03'))).toEqual([]);
  expect(await ledger().getIncident(running)).not.toHaveProperty('reportKey');
});

test("a run's facts are kept beside the incident (a later run's are not replaced by an earlier one's) and the report is built from them", async () => {
  const id = await ended('2026-10-04');
  const exec = EXEC(`run-${seq}`);
  const event = { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: { alarmName: `${FN}-concurrency`, state: { value: 'ALARM' }, previousState: { value: 'OK' } } };
  const later = factsFromState({ event, diagnosis: { reservedConcurrency: null } }, { id: exec, redriveCount: 1 }, { steps: { diagnosis: 'Read function concurrency' } });
  const earlier = factsFromState({ event, diagnosis: { reservedConcurrency: 7 } }, { id: exec, redriveCount: 0 }, { steps: { diagnosis: 'Read function concurrency' } });

  await writeIncidentReport(destination(), id, later);
  const { key } = await writeIncidentReport(destination(), id, earlier);

  const rows = await new ReportRecords(TABLE, dynamo.client).rows(id);
  expect(rows?.facts).toEqual([expect.objectContaining({ executionArn: exec, redriveCount: 1, findings: [{ state: 'Read function concurrency', at: 'diagnosis', value: { reservedConcurrency: null } }] })]);
  const body = currentVersion(sandbox.state.s3!.buckets[BUCKET]!, key!)!.body;
  expect(body).toContain(`- Alarm \`${FN}-concurrency\`: OK -> ALARM.`);
  expect(body).toContain('- **Read function concurrency** (`$.diagnosis`): `reservedConcurrency=none`');
});

test('two incidents of one runbook and target on one day, written at once in any interleaving: two reports, each under its own key, none over the other', async () => {
  await fc.assert(fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 3 }), async (s, rewrites) => {
    const day = `2027-01-${String((++seq % 28) + 1).padStart(2, '0')}`;
    // Each property run gets a day of its own (runs share the ledger and the bucket).
    const ids = [await ended(day), await ended(day)];
    const clients = ids.map(() => new DynamoDBClient({ endpoint: proxy.url, region: 'sa-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }));
    const gate = schedulerGate(s);
    proxy.setGate(gate);
    let written: { id: string; key: string | null }[];
    try {
      // Incident 0 is also rewritten (a redrive, an undo) while incident 1 writes its first.
      const writes = ids.map(async (id, i) => {
        const keys: (string | null)[] = [];
        for (let n = 0; n < (i === 0 ? rewrites : 1); n++) keys.push((await writeIncidentReport(destination(clients[i]), id)).key);
        return keys.map((key) => ({ id, key }));
      });
      written = (await s.waitFor(Promise.all(writes))).flat();
    } finally {
      proxy.setGate(null);
      for (const c of clients) c.destroy();
    }
    const keyOf = new Map<string, string>();
    for (const w of written) {
      expect(w.key).not.toBeNull();
      // An incident always writes to the one key it claimed.
      expect(keyOf.get(w.id) ?? w.key).toBe(w.key);
      keyOf.set(w.id, w.key!);
    }
    expect(new Set(keyOf.values()).size).toBe(2);
    for (const [id, key] of keyOf) {
      expect(objects()[key]!.every((v) => v.metadata['incident-id'] === id)).toBe(true);
      expect(await ledger().getIncident(id)).toMatchObject({ reportKey: key });
    }
  }), { numRuns: 15 });
});
