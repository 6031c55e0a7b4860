import 'aws-sdk-client-mock-jest';
import { DescribeExecutionCommand, ListTagsForResourceCommand, RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { redriveToken } from '../../../runbooks/workflow-stuck/redrive-plan';
import { seedApprovalRequest } from '../../support/approval-requests';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const sfn = mockClient(SFNClient);
const MACHINE = 'tradai-prod-backtest-pipeline';
const FAILED_RUN = `arn:aws:states:sa-east-1:111122223333:execution:${MACHINE}:backtest-2026-12-01`;
const harness = ledgerHarness('7', { env: { ALLOWED_TARGETS: JSON.stringify([MACHINE]), MAX_REDRIVES: '2', REDRIVE_ON_TIMEOUT: 'abort' } });
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;
let store: ApprovalStore;
beforeAll(async () => {
  store = new ApprovalStore('ledger', harness.dynamo.client);
  handler = (await import('../../../runbooks/workflow-stuck/handlers/redrive')).handler as typeof handler;
});

/** The failed run as DescribeExecution answers, at this redrive count. */
const run = (redriveCount: number) => ({
  executionArn: FAILED_RUN, stateMachineArn: FAILED_RUN.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''), name: 'backtest-2026-12-01',
  status: 'FAILED' as const, startDate: new Date('2026-12-01T00:00:00Z'), stopDate: new Date('2026-12-01T00:10:00Z'), redriveCount, redriveStatus: 'REDRIVABLE' as const,
});

/** An approved redrive of the run diagnosed at redrive count 0, and the step's input. */
async function approvedStep() {
  const incidentId = harness.nextIncidentId();
  const requestId = await seedApprovalRequest(store, {
    requestId: `apr-${incidentId.slice(4).padStart(32, '0')}`, incidentId, status: 'approved',
    gate: {
      runbook: 'workflow-stuck', step: 'redrive', summary: 's', firedAt: 'f', operation: 'states:RedriveExecution', target: FAILED_RUN,
      parameters: { executionArn: FAILED_RUN, redriveCount: 0 }, evidence: null, severity: 'P2',
    },
  });
  return {
    incidentId,
    input: {
      incident: incident({ id: incidentId, runbook: 'workflow-stuck', target: MACHINE, source: { name: 'Step Functions Execution Status Change', arn: FAILED_RUN } }),
      execution: { id: EXECUTION_ARN }, approval: { decision: 'approved', requestId }, redriveCount: 0, dryRun: false,
    },
  };
}

beforeEach(() => {
  sfn.reset();
  sfn.on(ListTagsForResourceCommand).resolves({ tags: [] });
  sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });
});

test('the run as diagnosed: redriven once, with the token of this incident and run', async () => {
  const { incidentId, input } = await approvedStep();
  sfn.on(DescribeExecutionCommand).resolves(run(0));

  await expect(handler(input, lambdaContext)).resolves.toMatchObject({ after: { status: 'RUNNING', redriveCount: 1 }, replayed: false });

  expect(sfn).toHaveReceivedCommandTimes(RedriveExecutionCommand, 1);
  expect(sfn).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: FAILED_RUN, clientToken: redriveToken(incidentId, FAILED_RUN, 0) });
});

test('redriven and failed again between the read before the call and the call: refused, naming it, and nothing sent', async () => {
  const { input } = await approvedStep();
  // The read the row records, then the one just before the call.
  sfn.on(DescribeExecutionCommand).resolvesOnce(run(0)).resolves(run(1));

  await expect(handler(input, lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected', message: expect.stringContaining('redriven 1 more time(s) since the diagnosis') });

  expect(sfn).not.toHaveReceivedCommand(RedriveExecutionCommand);
});
