import { App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AutopilotStack } from '../../lib/autopilot-stack';
import { MODULES } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { acknowledgeNagFindings, NAG_ACKNOWLEDGEMENTS } from '../../lib/nag';

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

test('targets allowlisted by tag in every runbook that supports it: still no unacknowledged finding', () => {
  expect(synth('prod', undefined, (config) => {
    const tags = { 'runbook-autopilot:allow': 'true' };
    for (const m of MODULES) if (m.tags) (config.runbooks as Record<string, { targetTags?: Record<string, string> }>)[m.name]!.targetTags = tags;
  })).not.toThrow();
});

test('every acknowledgement carries a reason a reviewer can check', () => {
  for (const ack of NAG_ACKNOWLEDGEMENTS) expect(ack.reason.length).toBeGreaterThan(40);
});

test('a new finding fails synth (the checks are live)', () => {
  expect(synth('prod', (stack) => new sqs.Queue(stack, 'PlainQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED }))).toThrow(/AwsSolutions-SQS4/);
});
