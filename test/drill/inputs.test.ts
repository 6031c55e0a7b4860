import { runDrill, runDrillProcess } from './run-drill';
import { RUNBOOKS } from '../../runbooks/registry';

test.each([
  ['events/samples/malformed-not-json.txt', /not JSON/],
  ['events/samples/malformed-wrong-shape.json', /not an EventBridge event .* nor an SNS notification/],
  ['events/does-not-exist.json', /cannot read/],
  // The right source and detail-type, the wrong types: one line naming the field, for each kind of trigger.
  ['events/samples/malformed-alarm-types.json',
    /^drill: events\/samples\/malformed-alarm-types\.json: malformed CloudWatch Alarm State Change event: detail\.alarmName: expected string, received null$/],
  ['events/samples/malformed-service-event-types.json',
    /^drill: events\/samples\/malformed-service-event-types\.json: malformed Step Functions Execution Status Change event: detail\.executionArn: expected string, received number$/],
  ['events/samples/malformed-budget-types.sns.json', /: Lambda SNS event: Records\[0\]\.Sns\.TopicArn: expected string, received number$/],
  ['events/samples/malformed-budget-text.sns.json', /: budget notification "Budgeted Amount" is not a dollar amount: "USD 1,500.00"$/],
])('%s is refused with exit 2 and one line, before anything runs', async (file, message) => {
  const { code, stdout, stderr } = await runDrill(['--event', 'events/lambda-runaway.alarm.json', '--event', file, '--json']);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr.trim()).toMatch(message);
  expect(stderr).not.toMatch(/\n\s+at /);
});

test('an unknown option or runbook is a usage error (exit 2)', async () => {
  // As a process of its own too: the command's exit code is the process's.
  const unknown = await runDrillProcess(['lambda-runaway', '--frobnicate']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/unknown option --frobnicate/);
  const runbook = await runDrill(['lambda-runway']);
  expect(runbook.code).toBe(2);
  expect(runbook.stderr).toMatch(/unknown runbook "lambda-runway"/);
});

test('alarms no runbook acts on are rejected, not acted on, and the drill still exits 0', async () => {
  const { code, results } = await runDrill([
    '--event', 'events/samples/ok-transition.alarm.json',
    '--event', 'events/samples/insufficient-data.alarm.json',
    '--event', 'events/samples/unconfigured-target.alarm.json',
    '--json',
  ]);
  expect(code).toBe(0);
  // lambda-runaway allowlists by tag in config/drill.json, so any function's alarm reaches it; admit refuses the untagged one.
  expect(results.map((r) => [r.outcome, r.runbook, r.actions.length])).toEqual([
    ['rejected', null, 0], ['rejected', null, 0], ['rejected', 'lambda-runaway', 0],
  ]);
  expect(results[0]!.reason).toMatch(/not ALARM/);
  expect(results[2]!.reason).toBe('tradai-prod-signal-ingest is not a configured target of lambda-runaway and does not carry runbook-autopilot:allow=true');
});

test('the default drill runs every registered runbook and prints a readable timeline', async () => {
  const { code, stdout } = await runDrill([]);
  expect(code).toBe(0);
  // Each as its recorded event ends: remediated, or paged for a runbook that only reads and pages.
  for (const m of RUNBOOKS) {
    expect(stdout).toMatch(new RegExp(`${m.drill.ends ?? 'remediated'}\\s+${m.name}`));
  }
  // The state column is elided to fit; the detail wraps under its own column.
  expect(stdout).toMatch(/\+\d+ ms\s+Stop function: reserved concurren…\s+lambda:PutFunctionConcurrency\s+cabruca-segmentation-prod-researcher-agent: none -> 0/);
  expect(stdout).toMatch(/ledger row of\s+intent written before the call/);
  expect(stdout).toMatch(/^▶ \[1\/\d+\] events\/lambda-runaway\.alarm\.json/m);
  const wide = stdout.split('\n').filter((line) => [...line].length > 120);
  expect(wide).toEqual([]);
  // Not a terminal: no colour.
  expect(stdout).not.toContain('\u001b[');
});

test('a composite alarm tagged with a runbook and target routes through the tag router', async () => {
  const { code, results: [r] } = await runDrill(['--event', 'events/samples/composite.alarm.json', '--json']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'ecs-service-recovery', outcome: 'remediated' });
  expect(r!.actions).toEqual([expect.objectContaining({ operation: 'ecs:UpdateService', target: 'alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod' })]);
});
