import { NotFoundException, PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { alarmDedupeKey, alarmEventSchema, incidentIdFor, parseTrigger } from '../../../lambdas/domain/trigger';
import type { NotifyResult } from '../../../lambdas/notify/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import type { Incident } from '../../../lambdas/shared/task-input';
import { handlerTestEnv, startDynalite, type LocalDynamo } from '../../support/dynalite';
import { lambdaContext } from '../../support/fixtures';
import { delivered } from '../../support/notifications';
import { triggerOf } from '../../support/runbooks';

const sns = mockClient(SNSClient);

type Handler = (event: unknown, context: typeof lambdaContext) => Promise<NotifyResult>;

const CRITICAL = 'arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-critical';
const INFO = 'arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-info';
const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const EXECUTION = (name: string) => `arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-lambda-runaway:${name}`;
const CONSOLE = (executionArn: string) =>
  `https://sa-east-1.console.aws.amazon.com/states/home?region=sa-east-1#/v2/executions/details/${executionArn}`;

const RUNAWAY = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'events', 'lambda-runaway.alarm.json'), 'utf8')) as unknown;
const ALARM_REASON = alarmEventSchema.parse(RUNAWAY).detail.state.reason ?? '';

/** The incident admit derives from the recorded lambda-runaway alarm. */
function runawayIncident(): Incident {
  const trigger = parseTrigger('lambda-runaway', RUNAWAY, triggerOf('lambda-runaway'));
  return {
    id: incidentIdFor(trigger.dedupeKey), runbook: 'lambda-runaway', target: trigger.target, summary: trigger.summary,
    firedAt: trigger.firedAt, source: trigger.source,
  };
}

let dynamo: LocalDynamo;
let db: DynamoDBDocumentClient;
let ledger: Ledger;
let handler: Handler;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedgerTable('ledger');
  db = DynamoDBDocumentClient.from(dynamo.client);
  ledger = new Ledger('ledger', dynamo.client);
  // The handler reads its environment at cold start, so it is imported after the env is set.
  Object.assign(process.env, handlerTestEnv(dynamo.endpoint, 'ledger'), { CRITICAL_TOPIC_ARN: CRITICAL, INFO_TOPIC_ARN: INFO });
  handler = (await import('../../../lambdas/notify/handler')).handler as unknown as Handler;
});
afterAll(() => dynamo.close());

async function scanLedger(): Promise<Record<string, unknown>[]> {
  const out = await db.send(new ScanCommand({ TableName: 'ledger', ConsistentRead: true }));
  return out.Items ?? [];
}

beforeEach(async () => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  for (const item of await scanLedger()) {
    await db.send(new DeleteCommand({ TableName: 'ledger', Key: { pk: item.pk, sk: item.sk } }));
  }
});

/** The incident row as admit leaves it for this execution. */
async function admitted(incident: Incident, executionArn: string): Promise<void> {
  const claim = await ledger.claimIncident({
    incidentId: incident.id, runbook: incident.runbook, target: incident.target, dedupeKey: alarmDedupeKey(alarmEventSchema.parse(RUNAWAY)),
    executionArn, summary: incident.summary, firedAt: incident.firedAt,
  });
  expect(claim.claimed).toBe(true);
}

/** The stop step's action, as performAction leaves it in the ledger. */
async function stopped(incident: Incident, executionArn: string): Promise<void> {
  const actionKey = `stop#lambda:PutFunctionConcurrency#${FUNCTION}`;
  await ledger.recordIntent({
    incidentId: incident.id, actionKey, runbook: 'lambda-runaway', operation: 'lambda:PutFunctionConcurrency',
    target: FUNCTION, executionArn, before: 50,
  });
  await ledger.completeAction(incident.id, actionKey, 0);
}

const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);

describe('notify', () => {
  test('remediated: the info topic gets what fired, what was done and the execution; the incident is closed', async () => {
    const incident = runawayIncident();
    const exec = EXECUTION(incident.id);
    await admitted(incident, exec);
    await stopped(incident, exec);

    const result = await handler({
      runbook: 'lambda-runaway', outcome: 'remediated', reason: 'reserved concurrency set to 0', incident, execution: { id: exec },
    }, lambdaContext);

    expect(result).toEqual({ outcome: 'remediated', reason: 'reserved concurrency set to 0', topic: 'info', messageId: 'msg-1' });
    expect(published()).toEqual([{
      TopicArn: INFO,
      Subject: `[REMEDIATED] lambda-runaway on ${FUNCTION}`,
      MessageStructure: 'json',
      Message: expect.any(String),
      MessageAttributes: {
        runbook: { DataType: 'String', StringValue: 'lambda-runaway' },
        outcome: { DataType: 'String', StringValue: 'remediated' },
      },
    }]);
    const { email, chat, sms } = delivered(published()[0]!);
    expect(email).toBe([
      'lambda-runaway: remediated - reserved concurrency set to 0',
      '',
      `Target: ${FUNCTION}`,
      'What fired: CloudWatch alarm cabruca-segmentation-prod-researcher-agent-concurrency went to ALARM',
      `Alarm reason: ${ALARM_REASON}`,
      '',
      'What was done:',
      `  lambda:PutFunctionConcurrency on ${FUNCTION}: 50 -> 0`,
      '',
      `Execution: ${CONSOLE(exec)}`,
      'Runbook page: docs/runbooks/lambda-runaway.md',
      `Incident: ${incident.id} (remediation ledger)`,
    ].join('\n'));
    expect(chat).toMatchObject({
      content: { title: `:white_check_mark: [REMEDIATED] lambda-runaway on ${FUNCTION}`, nextSteps: [`Execution: ${CONSOLE(exec)}`, 'Runbook page: docs/runbooks/lambda-runaway.md'] },
      metadata: { threadId: incident.id, eventType: 'runbook-autopilot-remediated', additionalContext: { incidentId: incident.id, executionArn: exec } },
    });
    expect(chat.content.description).toContain(`• lambda:PutFunctionConcurrency on ${FUNCTION}: 50 -> 0`);
    expect(sms).toBe(`[REMEDIATED] lambda-runaway on ${FUNCTION}`);
    expect(await ledger.getIncident(incident.id)).toMatchObject({
      executionArn: exec, status: 'remediated', reason: 'reserved concurrency set to 0',
    });
  });

  test('remediated with topic critical (a change that leaves urgent work for a human): the critical topic, the outcome stays remediated', async () => {
    const incident = runawayIncident();
    const exec = EXECUTION(incident.id);
    await admitted(incident, exec);
    await stopped(incident, exec);

    const result = await handler({
      runbook: 'lambda-runaway', outcome: 'remediated', reason: 'stopped; now find what invokes it', topic: 'critical', incident, execution: { id: exec },
    }, lambdaContext);

    expect(result).toMatchObject({ outcome: 'remediated', topic: 'critical' });
    expect(published()).toEqual([expect.objectContaining({ TopicArn: CRITICAL, Subject: `[REMEDIATED] lambda-runaway on ${FUNCTION}` })]);
    expect(await ledger.getIncident(incident.id)).toMatchObject({ status: 'remediated' });
  });

  test('a re-run that skips because this incident\'s own earlier run made the change (and then failed) is escalated, not recorded as skipped', async () => {
    const incident = runawayIncident();
    const first = EXECUTION('first');
    await admitted(incident, first);
    await stopped(incident, first);
    await ledger.finishIncident(incident.id, first, 'failed', 'the verify step failed');
    const rerun = EXECUTION('rerun');
    await admitted(incident, rerun);

    const result = await handler({ runbook: 'lambda-runaway', outcome: 'skipped', reason: 'already stopped: reserved concurrency is 0', incident, execution: { id: rerun } }, lambdaContext);

    expect(result).toMatchObject({
      outcome: 'escalated', topic: 'critical',
      reason: `already stopped: reserved concurrency is 0; but this incident's earlier run made changes still in place (lambda:PutFunctionConcurrency on ${FUNCTION}, succeeded) and did not finish: its remaining steps did not run`,
    });
    expect(await ledger.getIncident(incident.id)).toMatchObject({ status: 'escalated', executionArn: rerun });
  });

  test('a skip with no change of an earlier run in place (none made, or undone since) stays a skip', async () => {
    const incident = runawayIncident();
    const first = EXECUTION('first');
    await admitted(incident, first);
    await stopped(incident, first);
    await ledger.recordIntent({ incidentId: incident.id, actionKey: `undo-stop#lambda:PutFunctionConcurrency#${FUNCTION}`, runbook: 'lambda-runaway', operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, executionArn: EXECUTION('undo'), before: 0, undoes: `stop#lambda:PutFunctionConcurrency#${FUNCTION}` });
    await ledger.completeAction(incident.id, `undo-stop#lambda:PutFunctionConcurrency#${FUNCTION}`, 50);
    await ledger.finishIncident(incident.id, first, 'failed', 'the verify step failed');
    const rerun = EXECUTION('rerun');
    await admitted(incident, rerun);

    const result = await handler({ runbook: 'lambda-runaway', outcome: 'skipped', reason: 'already stopped: reserved concurrency is 0', incident, execution: { id: rerun } }, lambdaContext);

    expect(result).toMatchObject({ outcome: 'skipped', topic: 'info', reason: 'already stopped: reserved concurrency is 0' });
  });

  test('escalated: the critical topic gets the evidence and the next step; the incident is closed as escalated', async () => {
    const incident = runawayIncident();
    const exec = EXECUTION(incident.id);
    await admitted(incident, exec);
    const evidence = { concurrentExecutions: 987, invocationsPerMinute: 18342 };

    const result = await handler({
      runbook: 'lambda-runaway', outcome: 'escalated', reason: 'the function is still running after the stop', incident,
      execution: { id: exec }, evidence,
    }, lambdaContext);

    expect(result).toMatchObject({ outcome: 'escalated', topic: 'critical' });
    const [sent] = published();
    expect(published()).toHaveLength(1);
    expect(sent).toMatchObject({
      TopicArn: CRITICAL, Subject: `[ESCALATED] lambda-runaway on ${FUNCTION}`,
      MessageAttributes: { runbook: { DataType: 'String', StringValue: 'lambda-runaway' }, outcome: { DataType: 'String', StringValue: 'escalated' } },
    });
    const { email, chat } = delivered(sent!);
    expect(email).toContain('lambda-runaway: escalated - the function is still running after the stop');
    expect(email).toContain('What was done:\n  nothing was changed');
    expect(email).toContain(`Evidence: ${JSON.stringify(evidence)}`);
    expect(email).toContain('Next: A human decides: read the evidence');
    expect(email).toContain(`Execution: ${CONSOLE(exec)}`);
    expect(chat.content.nextSteps?.[0]).toMatch(/^A human decides: read the evidence/);
    expect(chat.content.title).toMatch(/^:warning: \[ESCALATED\]/);
    expect(await ledger.getIncident(incident.id)).toMatchObject({ status: 'escalated', reason: 'the function is still running after the stop' });
  });

  test('failed with a caught Lambda error: the reason and the body carry its errorMessage', async () => {
    const incident = runawayIncident();
    const exec = EXECUTION(incident.id);
    await admitted(incident, exec);
    const errorMessage = `reading ${FUNCTION} before lambda:PutFunctionConcurrency: ResourceNotFoundException: Function not found`;
    const error = {
      Error: 'TargetNotFound',
      Cause: JSON.stringify({ errorType: 'TargetNotFound', errorMessage, trace: ['TargetNotFound: ...', '    at stop (/var/task/index.js:1:1)'] }),
    };

    const result = await handler({
      runbook: 'lambda-runaway', outcome: 'failed', reason: 'a step failed and was not retried', incident, execution: { id: exec }, error,
    }, lambdaContext);

    const reason = `a step failed and was not retried (TargetNotFound: ${errorMessage})`;
    expect(result).toEqual({ outcome: 'failed', reason, topic: 'critical', messageId: 'msg-1' });
    const [sent] = published();
    expect(sent).toMatchObject({ TopicArn: CRITICAL, Subject: `[FAILED] lambda-runaway on ${FUNCTION}` });
    const { email } = delivered(sent!);
    expect(email).toContain(`lambda-runaway: failed - ${reason}`);
    expect(email).toContain(`Error: TargetNotFound: ${errorMessage}`);
    expect(sent?.Message).not.toContain('errorType');
    expect(await ledger.getIncident(incident.id)).toMatchObject({ status: 'failed', reason });
  });

  test('failed with a plain-text Cause (an error Step Functions raises itself): the text is used as it is', async () => {
    const incident = runawayIncident();
    const exec = EXECUTION(incident.id);
    await admitted(incident, exec);

    const result = await handler({
      runbook: 'lambda-runaway', outcome: 'failed', reason: 'a step failed and was not retried', incident, execution: { id: exec },
      error: { Error: 'States.Timeout', Cause: 'Task timed out after 60 seconds' },
    }, lambdaContext);

    expect(result.reason).toBe('a step failed and was not retried (States.Timeout: Task timed out after 60 seconds)');
    expect(delivered(published()[0]!).email).toContain('Error: States.Timeout: Task timed out after 60 seconds');
    expect(await ledger.getIncident(incident.id)).toMatchObject({ status: 'failed', reason: result.reason });
  });

  test('an incident owned by another execution is left as it is, and the message is still sent', async () => {
    const incident = runawayIncident();
    const owner = EXECUTION('operator-rerun');
    await admitted(incident, owner);
    const before = await ledger.getIncident(incident.id);

    const result = await handler({
      runbook: 'lambda-runaway', outcome: 'failed', reason: 'a step failed and was not retried', incident,
      execution: { id: EXECUTION('first-run') }, error: { Error: 'States.Timeout', Cause: 'Task timed out after 60 seconds' },
    }, lambdaContext);

    expect(result.topic).toBe('critical');
    expect(published()).toHaveLength(1);
    expect(published()[0]).toMatchObject({ TopicArn: CRITICAL, Subject: `[FAILED] lambda-runaway on ${FUNCTION}` });
    expect(delivered(published()[0]!).email).toContain(`Execution: ${CONSOLE(EXECUTION('first-run'))}`);
    expect(await ledger.getIncident(incident.id)).toEqual(before);
  });

  test('no incident (an event admit could not read): the message is sent and nothing is written', async () => {
    const exec = EXECUTION('unreadable');
    const reason = 'input is neither a CloudWatch Alarm State Change event nor a runbook-autopilot event';

    const result = await handler({ runbook: 'lambda-runaway', outcome: 'rejected', reason, incident: null, execution: { id: exec } }, lambdaContext);

    expect(result).toEqual({ outcome: 'rejected', reason, topic: 'info', messageId: 'msg-1' });
    expect(published()).toEqual([expect.objectContaining({ TopicArn: INFO, Subject: '[REJECTED] lambda-runaway on unknown target', MessageStructure: 'json' })]);
    const { email, chat } = delivered(published()[0]!);
    expect(email).toBe([
      `lambda-runaway: rejected - ${reason}`,
      '',
      'Target: unknown target',
      'What fired: an event the runbook could not read',
      '',
      'What was done:',
      '  nothing was changed',
      '',
      `Execution: ${CONSOLE(exec)}`,
      'Runbook page: docs/runbooks/lambda-runaway.md',
    ].join('\n'));
    // No incident to thread on: the execution is the thread.
    expect(chat.metadata).toMatchObject({ threadId: exec, additionalContext: { executionArn: exec } });
    expect(chat.metadata?.additionalContext).not.toHaveProperty('incidentId');
    expect(await scanLedger()).toEqual([]);
  });

  test('SNS throttling is AwsThrottled, retried by the state machine', async () => {
    sns.on(PublishCommand).rejects(new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));

    await expect(handler({
      runbook: 'lambda-runaway', outcome: 'rejected', reason: 'not ours', incident: null, execution: { id: EXECUTION('throttled') },
    }, lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled', message: expect.stringContaining('publishing to the info topic') });
  });

  test('a topic that does not exist is not retried: the SNS error passes through with its name', async () => {
    const notFound = new NotFoundException({ message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } });
    sns.on(PublishCommand).rejects(notFound);

    await expect(handler({
      runbook: 'lambda-runaway', outcome: 'escalated', reason: 'needs a human', incident: null, execution: { id: EXECUTION('no-topic') },
    }, lambdaContext)).rejects.toMatchObject({ name: 'NotFoundException', message: 'Topic does not exist' });
    expect(published()[0]?.TopicArn).toBe(CRITICAL);
  });

  test('a payload with an unknown outcome is InvalidInput and sends nothing', async () => {
    await expect(handler({
      runbook: 'lambda-runaway', outcome: 'fixed', reason: 'x', incident: null, execution: { id: EXECUTION('bad') },
    }, lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('outcome') });
    expect(published()).toHaveLength(0);
  });
});
