/** `npx autopilot` as a process (bin/autopilot.js) and without AWS credentials: the exit code and what a person sees. */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { autopilot, oneLineError } from './run';

const ROOT = path.join(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'autopilot.js');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

function autopilotProcess(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, [BIN, ...argv], { cwd: ROOT, env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A machine with no AWS credentials anywhere: none in the environment, no files, no instance metadata. */
const NO_CREDENTIALS = { AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' };
function withoutCredentials(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return { ...env, ...NO_CREDENTIALS };
}
const SAYS_NO_CREDENTIALS = /^autopilot: no AWS credentials: sign in \(aws sso login, --profile or AWS_PROFILE\) to the account RunbookAutopilot-prod is deployed in, sa-east-1 \([^\n]*\)$/;

test('status without AWS credentials, as a process: one sentence saying so, exit 1, no stack trace', async () => {
  const run = await autopilotProcess(['--env', 'prod', 'status'], withoutCredentials());

  expect(run.code).toBe(1);
  expect(oneLineError(run)).toMatch(SAYS_NO_CREDENTIALS);
});

describe('without credentials, a command that writes sends nothing and says so', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env = withoutCredentials();
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  test.each([
    ['pause', ['--env', 'prod', 'pause']],
    ['start', ['--env', 'prod', 'start', 'lambda-runaway', '--target', 'cabruca-segmentation-prod-researcher-agent', '--alarm', 'a', '--reason', 'r', '--as', 'ci']],
  ])('%s', async (_name, argv) => {
    const run = await autopilot(...argv);
    expect(run.code).toBe(1);
    expect(oneLineError(run)).toMatch(SAYS_NO_CREDENTIALS);
  });
});

test('--help lists every command; each command has its own', async () => {
  const all = await autopilotProcess(['--help'], process.env);
  expect(all.code).toBe(0);
  for (const command of ['status', 'history', 'pause', 'resume', 'start', 'approvals', 'undo', 'validate', 'drill', 'report']) {
    expect(all.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  }
  const start = await autopilot('start', '--help');
  expect(start.code).toBe(0);
  expect(start.stdout).toMatch(/^Usage: autopilot start \[options\] <runbook>\n[\s\S]*--target <target>[\s\S]*Global Options:[\s\S]*--local/);
});
