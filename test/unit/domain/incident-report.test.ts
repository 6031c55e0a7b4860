/**
 * The post-incident report, built from ledger rows alone (a pure function): each section says what
 * the rows hold and nothing they do not; the same rows give the same page whatever their order.
 */
import { buildIncidentReport, type IncidentRows, type ReportedApproval } from '../../../lambdas/domain/incident-report';
import { factsFromState, type ExecutionFacts } from '../../../lambdas/domain/report-facts';
import type { ActionRecord, IncidentRecord } from '../../../lambdas/shared/ledger';

const EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-lambda-runaway:run-1';
const UNDO_EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-undo:undo-1';
const FN = 'cabruca-segmentation-prod-researcher-agent';
const ALARM = `${FN}-concurrency`;

const incident = (o: Partial<IncidentRecord> = {}): IncidentRecord => ({
  incidentId: 'inc-0123456789abcdef', runbook: 'lambda-runaway', target: FN, dedupeKey: 'alarm|x', executionArn: EXEC,
  status: 'remediated', reason: 'emergency stop, then restored to 5 after the approval step (approved)', summary: `CloudWatch alarm ${ALARM} went to ALARM`,
  firedAt: '2026-11-03T03:12:41.522+0000', createdAt: '2026-11-03T03:12:43.000Z', updatedAt: '2026-11-03T03:20:12.000Z', redriveCount: 0, ...o,
});

const action = (o: Partial<ActionRecord> & Pick<ActionRecord, 'actionKey'>): ActionRecord => ({
  incidentId: 'inc-0123456789abcdef', runbook: 'lambda-runaway', operation: 'lambda:PutFunctionConcurrency', target: FN, executionArn: EXEC,
  status: 'succeeded', before: null, after: 0, attempts: 1, startedAt: '2026-11-03T03:13:01.000Z', completedAt: '2026-11-03T03:13:01.200Z', ...o,
});
const STOP = action({ actionKey: `stop#lambda:PutFunctionConcurrency#${FN}` });
const RESTORE = action({ actionKey: `restore#lambda:PutFunctionConcurrency#${FN}`, before: 0, after: 5, startedAt: '2026-11-03T03:19:40.000Z', completedAt: '2026-11-03T03:19:40.300Z' });

const alarmEvent = {
  version: '0', id: '64c30393-1434-4f53-a2ca-f706dd14af01', 'detail-type': 'CloudWatch Alarm State Change', source: 'aws.cloudwatch', time: '2026-11-03T03:12:41Z',
  detail: {
    alarmName: ALARM,
    state: { value: 'ALARM', timestamp: '2026-11-03T03:12:41.522+0000', reason: 'Threshold Crossed: 3 datapoints were greater than the threshold (800.0).', reasonData: JSON.stringify({ threshold: 800, recentDatapoints: [866, 941, 987] }) },
    previousState: { value: 'OK' },
    configuration: { metrics: [{ id: 'm1', metricStat: { metric: { namespace: 'AWS/Lambda', name: 'ConcurrentExecutions', dimensions: { FunctionName: FN } }, stat: 'Maximum', period: 60 } }] },
  },
};
const admitted = { decision: 'admit', reason: 'new alarm transition on a configured target', switches: { automation: 'enabled', runbook: 'enabled' }, dryRun: false, incident: { id: 'inc-0123456789abcdef', source: { name: ALARM } } };
const STEPS = { diagnosis: 'Read function concurrency', verification: 'Verify function stopped', verify: 'Check alarm state' };
const factsOf = (state: Record<string, unknown>): ExecutionFacts => factsFromState({ event: alarmEvent, admission: admitted, ...state }, { id: EXEC, redriveCount: 0 }, { steps: STEPS });
const remediatedFacts = factsOf({
  diagnosis: { functionName: FN, reservedConcurrency: null, state: 'Active' },
  verification: { functionName: FN, reservedConcurrency: 0, state: 'Active' },
  action: { operation: 'lambda:PutFunctionConcurrency', target: FN, before: null, after: 0 },
  verify: { status: 'verified', reason: `alarm ${ALARM} returned to OK 5 min after the stop`, elapsedSeconds: 300 },
  result: { outcome: 'remediated', reason: 'emergency stop, then restored', topic: 'info' },
});

const approval = (o: Partial<ReportedApproval> = {}): ReportedApproval => ({
  requestId: 'apr-0001', gate: { step: 'restore', operation: 'lambda:PutFunctionConcurrency', target: FN, severity: 'P2' }, level: 'L1', requiredApprovals: 1,
  approvers: ['alice', 'bob', 'carol'], startedBy: null, ifUnanswered: { nextLevel: 'L2', onTimeout: 'abort' }, createdAt: '2026-11-03T03:19:00.000Z', deadline: '2026-11-03T03:49:00.000Z',
  status: 'approved', decisions: { alice: { approver: 'alice', decision: 'approved', at: '2026-11-03T03:19:30.000Z', level: 'L1', comment: 'cause found: the poll rule' } },
  outcome: 'alice approved', closedAt: '2026-11-03T03:19:30.000Z', ...o,
});

const rows = (o: Partial<IncidentRows> = {}): IncidentRows => ({ incident: incident(), actions: [STOP, RESTORE], approvals: [approval()], failures: [], facts: [remediatedFacts], ...o });
const section = (page: string, heading: string): string => page.split(`\n## ${heading}\n`)[1]?.split(/\n## |\n---\n/)[0]?.trim() ?? `(no section ${heading})`;

describe('a remediated incident', () => {
  const page = buildIncidentReport(rows());

  test('opens with the outcome, the times from the trigger to the first mitigating call and to resolution, and the execution', () => {
    expect(page).toMatch(/^# lambda-runaway on `cabruca-segmentation-prod-researcher-agent`: remediated\n\nemergency stop, then restored to 5 after the approval step \(approved\)\.\n/);
    expect(page).toContain('| Trigger to first mitigating call | 19 s (lambda:PutFunctionConcurrency on `cabruca-segmentation-prod-researcher-agent`) |');
    expect(page).toContain('| Trigger to resolution | 7 min 30 s |');
    expect(page).toContain(`| Execution | [run-1](https://sa-east-1.console.aws.amazon.com/states/home?region=sa-east-1#/v2/executions/details/${EXEC}) |`);
  });

  test('the trigger with its values, admit\'s decision with the switches, each read by the state that made it', () => {
    expect(section(page, 'Trigger')).toContain(`- Alarm \`${ALARM}\`: OK -> ALARM at 2026-11-03T03:12:41.522+0000.`);
    expect(section(page, 'Trigger')).toContain(`- Metric: \`AWS/Lambda/ConcurrentExecutions\` (FunctionName=${FN}), Maximum over 60 s.`);
    expect(section(page, 'Trigger')).toContain('- Values: recent datapoints [866,941,987], threshold 800.');
    expect(section(page, 'Admission')).toBe('- Admitted: new alarm transition on a configured target; switches: automation enabled, runbook enabled.');
    expect(section(page, 'Diagnosis and checks')).toBe([
      `- **Read function concurrency** (\`$.diagnosis\`): \`functionName=${FN} reservedConcurrency=none state=Active\``,
      `- **Verify function stopped** (\`$.verification\`): \`functionName=${FN} reservedConcurrency=0 state=Active\``,
    ].join('\n'));
  });

  test('each change with the value before and after, in the order made; the approval: who, when, which decision', () => {
    const actions = section(page, 'Actions');
    expect(actions).toMatch(/^1\. `lambda:PutFunctionConcurrency` on `[^`]+` \(step `stop`\): `none -> 0`; succeeded \(1 call; intent 2026-11-03T03:13:01\.000Z/);
    expect(actions).toMatch(/\n2\. `lambda:PutFunctionConcurrency` on `[^`]+` \(step `restore`\): `0 -> 5`; succeeded/);
    expect(section(page, 'Approvals')).toContain('  - alice approved at 2026-11-03T03:19:30.000Z (L1): "cause found: the poll rule".');
    expect(section(page, 'Verification')).toBe(`- **verified**: alarm ${ALARM} returned to OK 5 min after the stop.`);
    expect(section(page, 'Blast radius')).toBe(`- 1 target(s) changed:\n  - \`${FN}\`: lambda:PutFunctionConcurrency x2`);
    expect(section(page, 'Escalations')).toBe('- None: the incident closed remediated without paging anyone.');
  });

  test('the same rows in any order give the same page, byte for byte', () => {
    expect(buildIncidentReport(rows({ actions: [RESTORE, STOP] }))).toBe(page);
  });
});

test('a suppressed admission: why it was held, nothing read or changed, nothing to resolve', () => {
  const held = factsFromState({ event: alarmEvent, admission: { ...admitted, decision: 'cooldown', reason: `${FN} was remediated by inc-00000000000000aa; cooling down until 2026-11-03T03:40:00.000Z` }, result: { outcome: 'skipped', reason: 'cooling down', topic: 'info' } }, { id: EXEC }, { steps: STEPS });
  const page = buildIncidentReport({
    incident: incident({ status: 'skipped', reason: `${FN} was remediated by inc-00000000000000aa; cooling down until 2026-11-03T03:40:00.000Z`, updatedAt: '2026-11-03T03:12:44.000Z' }),
    actions: [], approvals: [], failures: [], facts: [held],
  });
  expect(section(page, 'Admission')).toBe([
    `- **Suppressed (cooldown)**: ${FN} was remediated by inc-00000000000000aa; cooling down until 2026-11-03T03:40:00.000Z; switches: automation enabled, runbook enabled.`,
    '- Nothing was read or changed after admission.',
  ].join('\n'));
  expect(section(page, 'Diagnosis and checks')).toBe('- None: admission stopped the run before any read.');
  expect(section(page, 'Actions')).toBe('- No change was made, planned or attempted.');
  expect(page).toContain('| Trigger to first mitigating call | none: no change was made |');
  expect(page).toContain('| Trigger to resolution | not resolved by the runbook: closed skipped after 2 s |');
  expect(section(page, 'Follow-ups')).toBe(`- [ ] Nothing was changed (${FN} was remediated by inc-00000000000000aa; cooling down until 2026-11-03T03:40:00.000Z): if \`${FN}\` is still unhealthy, a human takes it from here.`);
});

test('an approval rejected: the decision, the escalation it led to, and a human decides what next', () => {
  const rejected = approval({ status: 'rejected', outcome: 'alice rejected', decisions: { alice: { approver: 'alice', decision: 'rejected', at: '2026-11-03T03:19:30.000Z', level: 'L1' } } });
  const page = buildIncidentReport(rows({
    incident: incident({ status: 'escalated', reason: 'the function stays stopped (reserved concurrency 0): the restore was rejected; a human decides what next.' }),
    actions: [STOP], approvals: [rejected],
    facts: [factsOf({ result: { outcome: 'escalated', reason: 'stays stopped', topic: 'critical' } })],
  }));
  expect(section(page, 'Approvals')).toContain('  - alice rejected at 2026-11-03T03:19:30.000Z (L1).\n  - Closed **rejected** at 2026-11-03T03:19:30.000Z: alice rejected.');
  expect(section(page, 'Escalations')).toBe('- Escalated to the critical topic: the function stays stopped (reserved concurrency 0): the restore was rejected; a human decides what next.');
  expect(section(page, 'Follow-ups')).toContain(`- [ ] Decide what next for \`${FN}\`: the runbook handed it to a human (Escalations, above, says why).`);
  expect(page).toContain('| Trigger to resolution | not resolved by the runbook: closed escalated after 7 min 30 s |');
});

test('an undo: its status, who asked, each restore and what it put back; nothing is left to revert', () => {
  const undoStop = action({
    actionKey: `undo-stop#lambda:DeleteFunctionConcurrency#${FN}`, operation: 'lambda:DeleteFunctionConcurrency', executionArn: UNDO_EXEC, before: 0, after: null,
    undoes: STOP.actionKey, startedAt: '2026-11-03T09:00:01.000Z', completedAt: '2026-11-03T09:00:01.100Z',
  });
  const page = buildIncidentReport(rows({
    incident: incident({ undoStatus: 'undone', undoExecutionArn: UNDO_EXEC, undoRequestedBy: 'maria', undoReason: 'undone: 1 change(s) put back to the recorded value', undoUpdatedAt: '2026-11-03T09:00:02.000Z' }),
    actions: [STOP, undoStop], approvals: [],
  }), { hardRules: { 'lambda:PutFunctionConcurrency': 'the function is stopped for everyone' } });
  const undo = section(page, 'Undo');
  expect(undo).toMatch(/^- \*\*undone\*\*, requested by maria \(2026-11-03T09:00:02\.000Z\): undone: 1 change\(s\) put back to the recorded value\.\n- Undo execution: \[undo-1\]/);
  expect(undo).toContain(`1. \`lambda:DeleteFunctionConcurrency\` on \`${FN}\` (step \`undo-stop\`): \`0 -> none\`; succeeded`);
  expect(undo).toContain(`(puts back \`${STOP.actionKey}\`)`);
  // The runbook's rows stay its actions; the undo's are listed under Undo only.
  expect(section(page, 'Actions').split('\n').filter((l) => /^\d+\./.test(l))).toHaveLength(1);
  expect(section(page, 'Follow-ups')).not.toContain('P1');
});

test('an escalation of a failed run: the state, the page the rule sent, and the redrive to make', () => {
  const page = buildIncidentReport(rows({
    incident: incident({ status: 'failed', failedState: 'Stop function: reserved concurrency 0', reason: 'the execution failed at "Stop function: reserved concurrency 0": AwsUnavailable: 5xx' }),
    actions: [action({ actionKey: STOP.actionKey, status: 'unknown', error: 'AwsUnavailable: 5xx', intended: 0, completedAt: '2026-11-03T03:13:09.000Z' })],
    approvals: [],
    failures: [{ executionArn: EXEC, redriveCount: 0, status: 'sent', sentAt: '2026-11-03T03:13:20.000Z', notice: { state: 'Stop function: reserved concurrency 0', reason: 'the execution failed at "Stop function: reserved concurrency 0": AwsUnavailable: 5xx' } }],
    facts: [factsFromState({ event: alarmEvent, admission: admitted, diagnosis: { reservedConcurrency: null } }, { id: EXEC }, { failedAt: 'Stop function: reserved concurrency 0' })],
  }));
  expect(section(page, 'Escalations')).toBe('- The execution failed at `Stop function: reserved concurrency 0` (run 0); the execution-failure rule paged the critical topic at 2026-11-03T03:13:20.000Z: the execution failed at "Stop function: reserved concurrency 0": AwsUnavailable: 5xx.');
  expect(section(page, 'Actions')).toContain('**outcome unknown**: AwsUnavailable: 5xx; meant `0` (was `none`');
  expect(section(page, 'Blast radius')).toContain('lambda:PutFunctionConcurrency (may have taken effect)');
  const followUps = section(page, 'Follow-ups');
  expect(followUps).toContain('- [ ] Mend the cause, then redrive the execution from the console: it retries `Stop function: reserved concurrency 0` without repeating a finished change.');
  expect(followUps).toContain(`- [ ] Read \`${FN}\`: whether \`lambda:PutFunctionConcurrency\` took effect is unknown (AwsUnavailable: 5xx); whatever touches it next reads it first.`);
  // Read back from a failed run's history: named by path, and where the run stopped.
  expect(section(page, 'Diagnosis and checks')).toBe('- `$.diagnosis`: `reservedConcurrency=none`\n- The run failed at `Stop function: reserved concurrency 0`: the values above are those it held there.');
});

describe('the P1 revert task (seed 001: a hard rule bypassed)', () => {
  const rules = { 'lambda:PutFunctionConcurrency': 'reserved concurrency is never set by hand in prod' };

  test('a change its runbook says bypasses a hard rule, still in effect, is a P1 task', () => {
    const page = buildIncidentReport(rows({ actions: [STOP] }), { hardRules: rules });
    expect(section(page, 'Follow-ups')).toMatch(/^- \[ \] \*\*P1\*\*: revert `lambda:PutFunctionConcurrency` on `[^`]+` \(none -> 0\): it bypasses a hard rule, reserved concurrency is never set by hand in prod\. Schedule the revert \(`npm run undo -- inc-0123456789abcdef`\)/);
  });

  test('none when no rule names the operation, the change was refused, or it was undone', () => {
    expect(section(buildIncidentReport(rows({ actions: [STOP] })), 'Follow-ups')).not.toContain('P1');
    expect(section(buildIncidentReport(rows({ actions: [{ ...STOP, status: 'failed', error: 'AccessDenied' }] }), { hardRules: rules }), 'Follow-ups')).not.toContain('P1');
    expect(section(buildIncidentReport(rows({ actions: [STOP], incident: incident({ undoStatus: 'undone' }) }), { hardRules: rules }), 'Follow-ups')).not.toContain('P1');
  });

  test('a gated change made with nobody\'s approval (the gate proceeds on timeout) is a P1 review', () => {
    const expired = approval({ status: 'timed-out', level: 'L3', decisions: {}, outcome: 'nobody decided', ifUnanswered: { nextLevel: null, onTimeout: 'proceed' } });
    const page = buildIncidentReport(rows({ approvals: [expired] }));
    expect(section(page, 'Follow-ups')).toContain('- [ ] **P1**: `lambda:PutFunctionConcurrency` on `cabruca-segmentation-prod-researcher-agent` was made with nobody\'s approval (gate `restore` proceeds on timeout)');
    const aborted = buildIncidentReport(rows({ approvals: [{ ...expired, ifUnanswered: { nextLevel: null, onTimeout: 'abort' } }], actions: [STOP] }));
    expect(section(aborted, 'Follow-ups')).not.toContain('P1');
  });
});

test('a request approved at once says why nobody was asked, as it was recorded: the environment\'s policy, or the gate\'s own rule', () => {
  const automatic = (outcome: string) => approval({ requiredApprovals: 0, approvers: [], decisions: {}, outcome });
  const policy = buildIncidentReport(rows({ approvals: [automatic('auto-approved: this environment needs no approver')] }));
  expect(section(policy, 'Approvals')).toContain('  - Approved at once: this environment needs no approver (recorded as auto-approved).');
  const gate = buildIncidentReport(rows({ approvals: [automatic('auto-approved: the revert puts enforced auth back, so it asks nobody')] }));
  expect(section(gate, 'Approvals')).toContain('  - Approved at once: the revert puts enforced auth back, so it asks nobody (recorded as auto-approved).');
  expect(section(gate, 'Approvals')).not.toContain('needs no approver');
});

test('without the run\'s facts, the page says what the ledger does not hold instead of guessing', () => {
  const page = buildIncidentReport(rows({ facts: [] }));
  expect(section(page, 'Trigger')).toContain("- The event itself is not in the ledger: it is the execution's input (see the execution).");
  expect(section(page, 'Admission')).toBe("- Admit's decision is not in the ledger for this run: the incident record says only how it ended (above).");
  expect(section(page, 'Diagnosis and checks')).toContain("- The ledger holds no record of this run's reads");
  expect(section(page, 'Verification')).toBe('- No verification is recorded for this run: see the outcome above and the checks under Diagnosis.');
});

test('a dry run: planned calls, nothing verified, nothing touched', () => {
  const planned = action({ actionKey: STOP.actionKey, status: 'planned', attempts: 0, after: undefined, parameters: { FunctionName: FN, ReservedConcurrentExecutions: 0 } });
  const page = buildIncidentReport(rows({ incident: incident({ status: 'skipped', reason: 'dry run: the exact calls are planned in the ledger' }), actions: [planned], approvals: [], facts: [factsOf({})] }));
  expect(page).toMatch(/^# lambda-runaway on `[^`]+`: skipped \(dry run\)\n/);
  expect(section(page, 'Actions')).toContain(`**planned, not called** (dry run): \`{"FunctionName":"${FN}","ReservedConcurrentExecutions":0}\`; would replace \`none\`.`);
  expect(section(page, 'Verification')).toBe('- Planned; not verified: a dry run changes nothing, so there is nothing to verify.');
  expect(section(page, 'Blast radius')).toContain('- No target was changed. A dry run planned its calls only.');
});

test('what the rows say is never read as markup: code spans, HTML and emphasis stay text', () => {
  const page = buildIncidentReport(rows({ incident: incident({ target: 'fn`x', reason: 'a <script>alert(1)</script> *bold* [link](http://x)' }), facts: [] }));
  // A code span holding a backtick takes a longer fence, padded (CommonMark strips the padding).
  expect(page).toContain('# lambda-runaway on `` fn`x ``: remediated');
  expect(page).toContain('a \\<script>alert(1)\\</script> \\*bold\\* \\[link\\](http://x).');
  expect(page).not.toMatch(/[^\\]<script>/);
});
