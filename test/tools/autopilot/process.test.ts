/** `npx autopilot` as a process: bin/autopilot.js, the exit code and what a person sees. */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

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

/** The environment of a machine with no AWS credentials anywhere: none in the environment, no files, no instance metadata. */
function withoutCredentials(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return { ...env, AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' };
}

test.each([['status'], ['pause'], ['start', 'lambda-runaway', '--target', 'cabruca-segmentation-prod-researcher-agent', '--alarm', 'a', '--reason', 'r', '--as', 'ci']])('%s without AWS credentials says so in one sentence and exits 1, no stack trace', async (...command) => {
  const run = await autopilotProcess(['--env', 'prod', ...command], withoutCredentials());

  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^autopilot: no AWS credentials: sign in \(aws sso login, --profile or AWS_PROFILE\) to the account RunbookAutopilot-prod is deployed in, sa-east-1 \([^\n]*\)\n$/);
});

test('--help lists every command, and each command has its own', async () => {
  const all = await autopilotProcess(['--help'], process.env);
  expect(all.code).toBe(0);
  for (const command of ['status', 'history', 'pause', 'resume', 'start', 'approvals', 'undo', 'validate', 'drill', 'report']) {
    expect(all.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  }
  const start = await autopilotProcess(['start', '--help'], process.env);
  expect(start.code).toBe(0);
  expect(start.stdout).toMatch(/^Usage: autopilot start \[options\] <runbook>/);
  expect(start.stdout).toMatch(/--target <target>/);
  const drill = await autopilotProcess(['drill', '--help'], process.env);
  expect(drill.code).toBe(0);
  expect(drill.stdout).toMatch(/^Usage: npm run drill -- /);
});

