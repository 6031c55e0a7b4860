#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AutopilotStack } from '../lib/autopilot-stack';
import { stackNameOf } from '../lib/catalog';
import { ConfigError, loadConfig } from '../lib/config/load';
import { acknowledgeNagFindings } from '../lib/nag';

// Which environment to synthesize: `cdk synth -c env=prod` (default: dev, from cdk.json).
const app = new App();
const env = String(app.node.tryGetContext('env') ?? 'dev');
try {
  const config = loadConfig(env);
  const stack = new AutopilotStack(app, stackNameOf(env), {
    config,
    env: { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: config.region },
    description: `runbook-autopilot (${env}): runbooks as event-driven, auditable remediation`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeNagFindings(stack, config);
} catch (e: unknown) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  process.exit(1);
}
