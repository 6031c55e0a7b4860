import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AutopilotStack } from '../../lib/autopilot-stack';
import { MODULES } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { acknowledgeNagFindings } from '../../lib/nag';
import { testApp } from './synth';

function synth(env: string, spoil?: (stack: AutopilotStack) => void, change?: (config: EnvironmentConfig) => void) {
  const config = loadConfig(env);
  change?.(config);
  const app = testApp();
  const stack = new AutopilotStack(app, `Nag-${env}`, { config, env: { account: '123456789012', region: config.region } });
  spoil?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeNagFindings(stack, config);
  return () => app.synth();
}

const allowlistByTag = (config: EnvironmentConfig) => {
  const tags = { 'runbook-autopilot:allow': 'true' };
  for (const m of MODULES) if (m.tags) (config.runbooks as Record<string, { targetTags?: Record<string, string> }>)[m.name]!.targetTags = tags;
};

interface Finding {
  /** The construct that raised it, or the one an acknowledgement is made on (covering the findings below it). */
  readonly path: string;
  readonly id: string;
}

/** The stack as bin/app.ts builds it; without acknowledgements: none at all (the stack's, the modules' or a construct's own). */
function build(env: string, change: ((config: EnvironmentConfig) => void) | undefined, acknowledged: boolean) {
  const none = acknowledged ? undefined : jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
  try {
    const config = loadConfig(env);
    change?.(config);
    const app = testApp();
    const stack = new AutopilotStack(app, `Nag-${env}`, { config, env: { account: '123456789012', region: config.region } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    acknowledgeNagFindings(stack, config);
    return { app, stack };
  } finally {
    none?.mockRestore();
  }
}

/** Each finding synth reports when nothing is acknowledged, with the id it says to acknowledge it by. */
function findingsUnacknowledged(env: string, change?: (config: EnvironmentConfig) => void): Finding[] {
  const { app } = build(env, change, false);
  let report = '';
  try {
    app.synth();
  } catch (e: unknown) {
    report = e instanceof Error ? e.message : String(e);
  }
  return [...report.matchAll(/^\s+(\S+) \S+\n\s+Acknowledge with 'AwsSolutions::([^']+)'/gm)].map((m) => ({ path: m[1]!, id: m[2]! }));
}

/** Every acknowledgement the stack makes, on whichever construct, with its reason. */
function acknowledgements(env: string, change?: (config: EnvironmentConfig) => void): (Finding & { readonly reason: string })[] {
  const { app, stack } = build(env, change, true);
  // As bin/app.ts synthesizes it: cdk-nag AwsSolutions, and no unacknowledged finding.
  expect(() => app.synth()).not.toThrow();
  return stack.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>))
    .map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^Annotation::/, ''), reason })));
}

const covers = (ack: Finding, finding: Finding) => finding.id === ack.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`));
const named = (f: Finding) => `${f.path}: ${f.id}`;

// Every row has all three values: Jest reads a test function with more parameters than its row as a `done` callback.
test.each<[string, string, ((config: EnvironmentConfig) => void) | undefined]>([
  ['dev', 'dev', undefined], ['staging', 'staging', undefined], ['prod', 'prod', undefined], ['prod, targets allowlisted by tag', 'prod', allowlistByTag],
])('%s: synthesizes with cdk-nag and no unacknowledged finding; each acknowledgement answers a finding the stack raises, with a reason that names what it grants', (_label, env, change) => {
  const findings = findingsUnacknowledged(env, change);
  const acknowledged = acknowledgements(env, change);
  expect(findings.length).toBeGreaterThan(0);
  // None left over from a resource or grant that no longer exists, and none missing.
  expect(acknowledged.filter((a) => !findings.some((f) => covers(a, f))).map(named)).toEqual([]);
  expect(findings.filter((f) => !acknowledged.some((a) => covers(a, f))).map(named)).toEqual([]);
  const unnamed = new Set<string>();
  for (const { id, reason } of acknowledged) {
    expect({ id, reason }).toEqual({ id, reason: expect.stringMatching(/\.$/) });
    expect({ id, reason }).toEqual({ id, reason: expect.not.stringMatching(/\b(todo|tbd|fixme|xxx|placeholder|lorem)\b/i) });
    // A wildcard on one service's resources or actions says which of its actions it is for (e.g. "events:DescribeRule").
    const service = /\[(?:Resource::arn:(?:<AWS::Partition>|aws[a-z-]*):|Action::)([a-z0-9-]+):/.exec(id)?.[1];
    if (service === undefined) unnamed.add(id);
    else expect({ id, reason }).toEqual({ id, reason: expect.stringMatching(new RegExp(`\\b${service}:[A-Z]\\w*`)) });
  }
  // Belonging to no one service: the wildcard on "*" (its reason lists each action), the dead-letter queues, the approval page's API and signing key,
  // and the report bucket: its server access logs, and its objects (named by the bucket's logical id, so the reason names the action).
  const reportObjects = /^AwsSolutions-IAM5\[Resource::<IncidentReportsBucket\w+\.Arn>\/incidents\/\*\]$/;
  expect([...unnamed].sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-IAM5[Resource::*]', expect.stringMatching(reportObjects), 'AwsSolutions-S1', 'AwsSolutions-SMG4', 'AwsSolutions-SQS3']);
  for (const { id, reason } of acknowledged.filter((a) => reportObjects.test(a.id))) expect({ id, reason }).toEqual({ id, reason: expect.stringMatching(/\bs3:PutObject\b/) });
});

test('a new finding fails synth (the checks are live)', () => {
  expect(synth('prod', (stack) => new sqs.Queue(stack, 'PlainQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED }))).toThrow(/AwsSolutions-SQS4/);
});
