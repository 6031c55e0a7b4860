import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AutopilotStack } from '../../lib/autopilot-stack';
import { loadConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { acknowledgeNagFindings } from '../../lib/nag';

function synth(env: string, spoil?: (stack: AutopilotStack) => void, change?: (config: EnvironmentConfig) => void) {
  const config = loadConfig(env);
  change?.(config);
  // Bundling is not what this test checks; skip it to keep synth fast.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new AutopilotStack(app, `Nag-${env}`, { config, env: { account: '123456789012', region: config.region } });
  spoil?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeNagFindings(stack, config);
  return () => app.synth();
}

test.each(['dev', 'staging', 'prod'])('%s synthesizes with cdk-nag AwsSolutions and no unacknowledged finding', (env) => {
  expect(synth(env)).not.toThrow();
});

const allowlistByTag = (config: EnvironmentConfig) => {
  const tags = { 'runbook-autopilot:allow': 'true' };
  config.runbooks['lambda-runaway'].targetTags = tags;
  config.runbooks['dynamodb-throttling'].targetTags = tags;
  config.runbooks['ecs-service-recovery'].targetTags = tags;
};

test('targets allowlisted by tag in every runbook that supports it: still no unacknowledged finding', () => {
  expect(synth('prod', undefined, allowlistByTag)).not.toThrow();
});

/** The findings synth raises when nothing is acknowledged, by the id each says to acknowledge it with. */
function findingsUnacknowledged(env: string, change?: (config: EnvironmentConfig) => void): Set<string> {
  const config = loadConfig(env);
  change?.(config);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  new AutopilotStack(app, `Nag-${env}`, { config, env: { account: '123456789012', region: config.region } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let report = '';
  try {
    app.synth();
  } catch (e: unknown) {
    report = e instanceof Error ? e.message : String(e);
  }
  return new Set([...report.matchAll(/Acknowledge with 'AwsSolutions::([^']+)'/g)].map((m) => m[1]!));
}

/** What acknowledgeNagFindings acknowledges for a stack of this environment: id -> reason. */
function acknowledgements(env: string, change?: (config: EnvironmentConfig) => void): Map<string, string> {
  const config = loadConfig(env);
  change?.(config);
  const stack = new Stack(new App(), `Acknowledged-${env}`, { env: { account: '123456789012', region: config.region } });
  acknowledgeNagFindings(stack, config);
  const recorded = stack.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
  return new Map(recorded.flatMap((m) => Object.entries(m.data as Record<string, string>)).map(([id, reason]) => [id.replace(/^Annotation::/, ''), reason]));
}

// Every row has all three values: Jest reads a test function with more parameters than its row as a `done` callback.
test.each<[string, string, ((config: EnvironmentConfig) => void) | undefined]>([
  ['dev', 'dev', undefined], ['staging', 'staging', undefined], ['prod', 'prod', undefined], ['prod, targets allowlisted by tag', 'prod', allowlistByTag],
])('%s: each acknowledgement answers a finding the stack raises, with a reason that names what it grants', (_label, env, change) => {
  const findings = findingsUnacknowledged(env, change);
  const acknowledged = acknowledgements(env, change);
  expect(findings.size).toBeGreaterThan(0);
  // None left over from a resource or grant that no longer exists, and none missing.
  expect([...acknowledged.keys()].filter((id) => !findings.has(id))).toEqual([]);
  expect([...findings].filter((id) => !acknowledged.has(id))).toEqual([]);
  const unnamed: string[] = [];
  for (const [id, reason] of acknowledged) {
    expect({ id, reason }).toEqual({ id, reason: expect.stringMatching(/\.$/) });
    expect({ id, reason }).toEqual({ id, reason: expect.not.stringMatching(/\b(todo|tbd|fixme|xxx|placeholder|lorem)\b/i) });
    // A wildcard on one service's resources or actions says which of its actions it is for (e.g. "events:DescribeRule").
    const service = /\[(?:Resource::arn:(?:<AWS::Partition>|aws[a-z-]*):|Action::)([a-z0-9-]+):/.exec(id)?.[1];
    if (service === undefined) {
      unnamed.push(id);
      continue;
    }
    expect({ id, reason }).toEqual({ id, reason: expect.stringMatching(new RegExp(`\\b${service}:[A-Z]\\w*`)) });
  }
  // Only the wildcard on "*" (its reason lists each action) and the dead-letter queues belong to no one service.
  expect(unnamed.sort()).toEqual(['AwsSolutions-IAM5[Resource::*]', 'AwsSolutions-SQS3']);
});

test('a new finding fails synth (the checks are live)', () => {
  expect(synth('prod', (stack) => new sqs.Queue(stack, 'PlainQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED }))).toThrow(/AwsSolutions-SQS4/);
});
