import { METRIC, METRICS_ENVIRONMENT_VARIABLE } from '../../../lambdas/domain/metrics';
import { parseEmf } from '../../../drill/metrics-tap';

/** The module as a cold start loads it, with the environment given, and the EMF lines it prints. */
async function emitted(env: Record<string, string>, use: (m: typeof import('../../../lambdas/shared/metrics')) => void): Promise<string[]> {
  const saved = { ...process.env };
  Object.assign(process.env, { POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_SERVICE_NAME: 'runbook-autopilot-Admit', ...env });
  const printed: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    await jest.isolateModulesAsync(async () => use(await import('../../../lambdas/shared/metrics')));
  } finally {
    spy.mockRestore();
    process.env = saved;
  }
  return printed.flatMap((p) => p.split('\n')).filter(Boolean);
}

const OF = { runbook: 'some-runbook', executionArn: 'arn:aws:states:sa-east-1:111122223333:execution:m:e1' };

test('each fact is one EMF line, dimensions environment and runbook only (no per-function service), the execution as a property', async () => {
  const lines = await emitted({ [METRICS_ENVIRONMENT_VARIABLE]: 'prod' }, (m) => {
    m.count(METRIC.admitted, OF);
    m.countSuppressed(OF, 'cooldown');
    m.duration(METRIC.timeToMitigate, OF, 812);
  });
  expect(lines).toHaveLength(3);
  const records = lines.map((l) => JSON.parse(l) as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] } });
  expect(records.map((r) => r._aws.CloudWatchMetrics[0]!.Dimensions)).toEqual([[['environment', 'runbook']], [['environment', 'runbook', 'reason']], [['environment', 'runbook']]]);
  expect(lines.flatMap(parseEmf)).toEqual([
    { name: 'IncidentsAdmitted', value: 1, unit: 'Count', namespace: 'RunbookAutopilot', dimensions: { environment: 'prod', runbook: 'some-runbook' }, executionArn: OF.executionArn },
    { name: 'IncidentsSuppressed', value: 1, unit: 'Count', namespace: 'RunbookAutopilot', dimensions: { environment: 'prod', runbook: 'some-runbook', reason: 'cooldown' }, executionArn: OF.executionArn },
    { name: 'TimeToMitigate', value: 812, unit: 'Milliseconds', namespace: 'RunbookAutopilot', dimensions: { environment: 'prod', runbook: 'some-runbook' }, executionArn: OF.executionArn },
  ]);
});

test("one metric's dimensions never carry over to the next", async () => {
  const lines = await emitted({ [METRICS_ENVIRONMENT_VARIABLE]: 'dev' }, (m) => {
    m.countSuppressed({ ...OF, runbook: 'a' }, 'paused');
    m.count(METRIC.actionsTaken, { ...OF, runbook: 'b' });
  });
  expect(lines.flatMap(parseEmf).map((x) => x.dimensions)).toEqual([{ environment: 'dev', runbook: 'a', reason: 'paused' }, { environment: 'dev', runbook: 'b' }]);
});

test('once admit has named the incident, each line carries it beside the execution (a property, not a dimension)', async () => {
  const lines = await emitted({ [METRICS_ENVIRONMENT_VARIABLE]: 'prod' }, (m) => {
    m.count(METRIC.actionsTaken, { ...OF, incidentId: 'inc-0123456789abcdef' });
    m.count(METRIC.suppressed, OF);
  });
  const [named, unnamed] = lines.map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] } });
  expect(named).toMatchObject({ incidentId: 'inc-0123456789abcdef', executionArn: OF.executionArn });
  expect(named!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['environment', 'runbook']]);
  expect(unnamed).not.toHaveProperty('incidentId');
});
