import 'aws-sdk-client-mock-jest';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { LevelPage } from '../../../runbooks/page-on-call/handlers/page-level';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const sns = mockClient(SNSClient);
const SENIOR = 'arn:aws:sns:sa-east-1:111122223333:alphaswarm-prod-oncall-senior';
let handler: (event: unknown, context: typeof lambdaContext) => Promise<LevelPage>;

beforeAll(async () => {
  Object.assign(process.env, { AWS_REGION: 'sa-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' });
  handler = (await import('../../../runbooks/page-on-call/handlers/page-level')).handler as unknown as typeof handler;
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
});

const input = (level: string) => ({
  incident: incident({ runbook: 'page-on-call', target: 'alphaswarm-prod-core-crashloop' }), execution: { id: EXECUTION_ARN },
  level, topics: { L1: '', L2: SENIOR, L3: '' }, page: { summary: 'Seed 001 "Scenario A: single pod crashes": alarm alphaswarm-prod-core-crashloop went to ALARM', procedure: { id: 'pod-crashes' } },
});

test("publishes the page, the level named, on that level's topic, with the level as an attribute", async () => {
  await expect(handler(input('L2'), lambdaContext)).resolves.toEqual({ level: 'L2', topicArn: SENIOR, messageId: 'm-2' });
  const sent = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ TopicArn: SENIOR, MessageStructure: 'json', MessageAttributes: { level: { DataType: 'String', StringValue: 'L2' }, runbook: { DataType: 'String', StringValue: 'page-on-call' } } });
  expect(sent[0]!.Message).toContain('L2: Seed 001');
});

test('a level with no topic of its own is refused in one line, and nothing is published', async () => {
  await expect(handler(input('L1'), lambdaContext)).rejects.toThrow('no topic is configured for L1');
  expect(sns).not.toHaveReceivedCommand(PublishCommand);
});
