import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { DISABLE_CREATION_STACK_TRACES } from 'aws-cdk-lib/cx-api';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from 'esbuild';
import { AutopilotStack } from '../../lib/autopilot-stack';
import { HANDLER_BUNDLING, HandlerFunction, REPO_ROOT } from '../../lib/constructs/handler-function';
import { loadConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { acknowledgeNagFindings } from '../../lib/nag';
import { TEMPLATE_DIR_VARIABLE } from '../support/template-dir';
import { flatTemplate } from './flat-template';

export const ACCOUNT = '123456789012';

/**
 * The App every test synthesizes in. Without: asset bundling (bundlesOf checks it apart); a stack
 * trace captured per construct and per resource (`stackTraces: false` stops only the former: the
 * creation traces have their own key, and under Jest each one is source-mapped, a quarter of a
 * synth) and the construct tree file (no test reads either); and CDK's
 * built-in CloudFormation schema validation, which reports warnings only (no test reads them;
 * `cfn-lint` on `npx cdk synth`'s output checks the templates) and took about half of each synth.
 */
export function testApp(): App {
  return new App({
    stackTraces: false, treeMetadata: false, builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [], [DISABLE_CREATION_STACK_TRACES]: true },
  });
}

/**
 * Synthesizes the stack as bin/app.ts does, cdk-nag included, without bundling the functions' code
 * (bundlesOf bundles every entry at once, with the same settings). Synth throws on any
 * unacknowledged finding. Left out too, as in every test synth (testApp): what only
 * costs time here.
 */
export function synthStack(config: EnvironmentConfig = loadConfig('prod')): { stack: AutopilotStack; template: Template } {
  const key = stackKey(config);
  const app = testApp();
  const stack = stackOf(app, key);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeNagFindings(stack, config);
  app.synth();
  const template = flatTemplate(stack);
  keep(key, template);
  return { stack, template: Template.fromJSON(template) };
}

/** What a synthesized template depends on: the config, the account, the stack's name. */
interface StackKey {
  readonly config: EnvironmentConfig;
  readonly account: string;
  readonly stackName: string;
}

const stackKey = (config: EnvironmentConfig, options: { account?: string; stackName?: string } = {}): StackKey => ({
  config, account: options.account ?? ACCOUNT, stackName: options.stackName ?? `Test-${config.environment}`,
});

const stackOf = (app: App, { config, account, stackName }: StackKey) => new AutopilotStack(app, stackName, { config, env: { account, region: config.region } });

const keptFile = (key: StackKey): string | undefined => {
  const dir = process.env[TEMPLATE_DIR_VARIABLE];
  return dir && path.join(dir, `${createHash('sha256').update(JSON.stringify(key)).digest('hex')}.json`);
};

/** Written whole, then renamed: two files that synthesize one stack at once each write a complete file. */
function keep(key: StackKey, template: Record<string, unknown>): void {
  const file = keptFile(key);
  if (!file) return;
  fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify(template));
  fs.renameSync(`${file}.${process.pid}`, file);
}

/**
 * The flat template (flatTemplate) of the stack bin/app.ts builds from `config`, as synthStack
 * synthesizes it (cdk-nag checks, it changes no template): synthesized by the first file of the
 * run that asks, read by the others, so a run synthesizes each stack once, not once per file that
 * reads it (a synth is one to two seconds of CPU under Jest). The code does not change during a
 * run; the directory is the run's own (the global setup's), so the next run synthesizes again.
 * Outside Jest's global setup, always synthesized.
 */
export function stackTemplate(config: EnvironmentConfig = loadConfig('prod'), options: { account?: string; stackName?: string } = {}): Record<string, unknown> {
  const key = stackKey(config, options);
  const file = keptFile(key);
  if (file && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const template = flatTemplate(stackOf(testApp(), key));
  keep(key, template);
  return template;
}

/**
 * Bundles the entry of every function of the stack with the settings its NodejsFunctions bundle
 * with (HANDLER_BUNDLING), in one esbuild run rather than one process per function as cdk synth
 * does: the errors and warnings, and the entries that produced a bundle.
 */
export async function bundlesOf(stack: AutopilotStack): Promise<{
  entries: string[]; bundled: string[]; errors: string[]; warnings: string[];
  /** Per entry, the runtime's SDK packages its bundle imports statically: what its cold start loads (the others at first use). */
  sdkAtInit: Record<string, string[]>;
}> {
  const entries = [...new Set(stack.node.findAll().filter((c): c is HandlerFunction => c instanceof HandlerFunction).map((f) => f.entry))].sort();
  const result = await build({
    entryPoints: entries.map((e) => path.join(REPO_ROOT, e)), outdir: path.join(REPO_ROOT, 'cdk.out', 'bundle-check'), outbase: REPO_ROOT, write: false,
    bundle: true, platform: 'node', format: HANDLER_BUNDLING.format, minify: HANDLER_BUNDLING.minify, target: HANDLER_BUNDLING.target,
    mainFields: [...HANDLER_BUNDLING.mainFields], external: [...HANDLER_BUNDLING.externalModules], banner: { js: HANDLER_BUNDLING.banner },
    metafile: true, logLevel: 'silent',
  });
  const outputs = Object.values(result.metafile.outputs).filter((o) => o.entryPoint !== undefined);
  const bundled = outputs.map((o) => o.entryPoint!).sort();
  const sdkAtInit = Object.fromEntries(outputs.map((o) => [o.entryPoint!, [...new Set(o.imports
    .filter((i) => i.external && i.kind === 'import-statement' && i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort()]));
  const text = (m: { text: string; location: { file: string } | null }) => `${m.location?.file ?? ''}: ${m.text}`;
  return { entries, bundled, errors: result.errors.map(text), warnings: result.warnings.map(text), sdkAtInit };
}
