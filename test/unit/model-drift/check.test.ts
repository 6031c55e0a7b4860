import { DescribeExecutionCommand, SFNClient, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { RetrainingCheck } from '../../../runbooks/model-drift/handlers/check';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const sfn = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:tradai-prod-model-retraining';
const RUN = 'arn:aws:states:sa-east-1:111122223333:execution:tradai-prod-model-retraining:model-drift-inc-0123456789abcdef';
let handler: (event: unknown, context: typeof lambdaContext) => Promise<RetrainingCheck>;

beforeAll(async () => {
  Object.assign(process.env, {
    RETRAINING_MACHINE_ARN: MACHINE, VALIDATION: JSON.stringify({ outputField: 'validation.status', passedValue: 'PASSED' }),
    POLL_SECONDS: '300', WATCH_TIMEOUT_SECONDS: '1200',
  });
  handler = (await import('../../../runbooks/model-drift/handlers/check')).handler as unknown as typeof handler;
});
beforeEach(() => sfn.reset());

const run = (out: Partial<DescribeExecutionCommandOutput>) => sfn.on(DescribeExecutionCommand).resolves({
  executionArn: RUN, stateMachineArn: MACHINE, name: 'model-drift-inc-0123456789abcdef', startDate: new Date('2026-12-06T03:06:00Z'), ...out,
});
const input = (attempt: number, executionArn = RUN) => ({ incident: incident({ runbook: 'model-drift', target: 'momentum-v3' }), execution: { id: EXECUTION_ARN }, attempt, executionArn });

test('reads the execution with its output; succeeded with the validation passed: done', async () => {
  run({ status: 'SUCCEEDED', output: '{"validation":{"status":"PASSED","sharpeRatio":1.38}}' });

  const check = await handler(input(2), lambdaContext);

  expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({ executionArn: RUN, includedData: 'ALL_DATA' });
  expect(check).toMatchObject({ attempt: 3, done: true, failed: false, timedOut: false, retraining: { status: 'SUCCEEDED', validation: { passed: true } } });
});

test.each([
  ['succeeded, its model not validated', { status: 'SUCCEEDED' as const, output: '{"validation":{"status":"FAILED"}}' }, 'its validation did not pass: validation.status is "FAILED", not "PASSED"'],
  ['failed', { status: 'FAILED' as const, error: 'Training.OutOfMemory', cause: 'worker killed' }, 'it ended FAILED (Training.OutOfMemory: worker killed)'],
  ['aborted by someone', { status: 'ABORTED' as const }, 'it ended ABORTED'],
])('%s: given up on, with why', async (_what, out, summary) => {
  run(out);

  const check = await handler(input(0), lambdaContext);

  expect(check).toMatchObject({ done: false, failed: true, retraining: { summary: expect.stringContaining(summary) } });
});

test('still running: checked again after pollSeconds, until the wait (retraining.watch) is used up', async () => {
  run({ status: 'RUNNING' });

  const early = await handler(input(0), lambdaContext);
  const last = await handler(input(3), lambdaContext);

  expect(early).toMatchObject({ done: false, failed: false, timedOut: false, pollSeconds: 300 });
  expect(last).toMatchObject({ done: false, failed: false, timedOut: true, retraining: { summary: expect.stringContaining('still RUNNING after the 20 minutes waited') } });
});

test('an execution of another workflow is refused before anything is read', async () => {
  await expect(handler(input(0, 'arn:aws:states:sa-east-1:111122223333:execution:tradai-prod-backtest-workflow:backtest-2026-12-01'), lambdaContext))
    .rejects.toMatchObject({ name: 'TargetNotAllowed' });
  expect(sfn.calls()).toHaveLength(0);
});
