import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AutopilotStack } from '../../lib/autopilot-stack';
import { loadConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { acknowledgeNagFindings } from '../../lib/nag';

export const ACCOUNT = '123456789012';

/** Synthesizes the stack as bin/app.ts does, cdk-nag included. Synth throws on any unacknowledged finding. */
export function synthStack(config: EnvironmentConfig = loadConfig('prod')): { stack: AutopilotStack; template: Template } {
  const app = new App();
  const stack = new AutopilotStack(app, `Test-${config.environment}`, { config, env: { account: ACCOUNT, region: config.region } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeNagFindings(stack, config);
  app.synth();
  return { stack, template: Template.fromStack(stack) };
}
