import { approvalRequestHandler, executionFailureHandler, literalArns, sharedHandlers } from '../../lib/catalog';
import { loadConfig, parseConfig } from '../../lib/config/load';

type Json = Record<string | number, unknown>;
const valid = (): Json => JSON.parse(JSON.stringify(loadConfig('prod'))) as Json;

/** Replaces the value at `path` of a config read as JSON (the parents exist). */
function set(raw: Json, path: readonly (string | number)[], value: unknown): void {
  const parent = path.slice(0, -1).reduce<Json>((node, key) => node[key] as Json, raw);
  parent[path[path.length - 1]!] = value;
}

test.each(['dev', 'staging', 'prod', 'drill'])('config/%s.json is valid', (env) => {
  expect(loadConfig(env).environment).toBe(env);
});

test('a bad field is named by its path', () => {
  const raw = valid();
  set(raw, ['runbooks', 'lambda-runaway', 'targets', 1, 'functionName'], '');
  set(raw, ['runbooks', 'dynamodb-throttling', 'cooldownMinutes'], -5);
  expect(() => parseConfig(raw, 'test')).toThrow(/runbooks\.lambda-runaway\.targets\[1\]\.functionName: .*; runbooks\.dynamodb-throttling\.cooldownMinutes/);
});

test('an unknown top-level field is refused, not ignored', () => {
  expect(() => parseConfig({ ...valid(), runbok: {} }, 'test')).toThrow(/runbok/);
});

test('an unknown environment lists the known ones', () => {
  expect(() => loadConfig('qa')).toThrow('No config for environment "qa" (known: dev, drill, prod, staging)');
});

test("the runbooks' pages URL: an https URL, told to every handler that publishes; none configured, none told", () => {
  const raw = valid();
  set(raw, ['notifications', 'runbookPagesUrl'], 'http://docs.example.com/runbooks');
  expect(() => parseConfig(raw, 'test')).toThrow(/notifications\.runbookPagesUrl: an https URL/);

  set(raw, ['notifications', 'runbookPagesUrl'], 'https://github.com/acme/runbook-autopilot/blob/main/docs/runbooks');
  const config = parseConfig(raw, 'test');
  const arns = literalArns('aws', config.region, '111122223333');
  const publishers = [sharedHandlers(config, arns).notify, executionFailureHandler(config, arns, []), approvalRequestHandler('Ask', 'lambda-runaway', config)];
  for (const def of publishers) expect(def.environment).toMatchObject({ RUNBOOK_PAGES_URL: 'https://github.com/acme/runbook-autopilot/blob/main/docs/runbooks' });
  const unset = loadConfig('prod');
  expect(sharedHandlers(unset, arns).notify.environment).not.toHaveProperty('RUNBOOK_PAGES_URL');
});

test('an invalid email is named', () => {
  const raw = valid();
  set(raw, ['notifications', 'criticalEmails'], ['not-an-email']);
  expect(() => parseConfig(raw, 'test')).toThrow(/notifications\.criticalEmails\[0\]/);
});

test('the stuck-tasks table must be one of the targets: the cleanup never reaches an unconfigured table', () => {
  const raw = valid();
  set(raw, ['runbooks', 'dynamodb-throttling', 'stuckTasks'], { tableName: 'someone-elses-table' });
  expect(() => parseConfig(raw, 'test')).toThrow(/runbooks\.dynamodb-throttling\.stuckTasks\.tableName: stuckTasks\.tableName must be one of the targets/);
});

test('stuck-task settings default to the seed script (status = pending, timestamp older than an hour)', () => {
  expect(loadConfig('prod').runbooks['dynamodb-throttling'].stuckTasks).toEqual({
    tableName: 'cabruca-segmentation-prod-agent-tasks', statusAttribute: 'status', pendingStatus: 'pending',
    timestampAttribute: 'timestamp', olderThanMinutes: 60, maxItems: 100, backupTimeoutMinutes: 10,
    // Seed 003: the switch has mitigated; stuck tasks are isolated agent failures (P3). A delete aborts on timeout.
    approval: { severity: 'P3', onTimeout: 'abort' },
  });
});

test('verify: per-runbook defaults, and a bad or unknown field is named', () => {
  const config = loadConfig('prod');
  expect(config.runbooks['lambda-runaway'].verify).toEqual({ waitMinutes: 5, pollSeconds: 60, checks: 5, insufficientData: 'cleared' });
  expect(config.runbooks['ecs-service-recovery'].verify.insufficientData).toBe('not-cleared');
  const raw = valid();
  set(raw, ['runbooks', 'dynamodb-throttling', 'verify'], { waitMinutes: 0 });
  expect(() => parseConfig(raw, 'test')).toThrow(/runbooks\.dynamodb-throttling\.verify\.waitMinutes/);
  set(raw, ['runbooks', 'dynamodb-throttling', 'verify'], { waitMinute: 5 });
  expect(() => parseConfig(raw, 'test')).toThrow(/runbooks\.dynamodb-throttling\.verify.*waitMinute/);
});

test('api-latency: a load balancer not named as its metrics name it, or more dependency metrics than one GetMetricData call reads, is refused by path', () => {
  const raw = valid();
  set(raw, ['runbooks', 'api-latency', 'targets', 0, 'loadBalancer'], 'cabruca-segmentation-prod-api');
  expect(() => parseConfig(raw, 'test')).toThrow(/runbooks\.api-latency\.targets\[0\]\.loadBalancer: an ALB as its metrics name it: app\/<name>\/<16 hex id>/);
  const many = valid();
  // 100 tables x (4 operations + 2 throttle counts) = 600 metrics.
  set(many, ['runbooks', 'api-latency', 'targets', 0, 'dependencies'], { tables: Array.from({ length: 100 }, (_, i) => `table-${i}`), tableOperations: ['GetItem', 'PutItem', 'UpdateItem', 'Query'] });
  expect(() => parseConfig(many, 'test')).toThrow(/runbooks\.api-latency\.targets\[0\]\.dependencies: at most 500 dependency metrics/);
});
