import { AwsError } from './aws-error';
import { epochSeconds } from './common';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import type { AccountState, SqsQueueState } from './state';

/** SQS (JSON 1.0, query-compatible errors): GetQueueAttributes, as a Lambda function's SQS source and a worker queue's backlog are read. */

const ATTRIBUTES = ['VisibilityTimeout', 'MessageRetentionPeriod', 'CreatedTimestamp', 'QueueArn', 'ApproximateNumberOfMessages'] as const;

/**
 * The messages waiting: the seeded backlog while the queue's consumer runs fewer tasks than keep up
 * with what arrives, none once it runs enough (the drill compresses the time the backlog takes to drain).
 */
export function messagesVisible(state: AccountState, queue: SqsQueueState): number {
  const consumer = queue.consumer;
  const service = consumer ? state.ecs.clusters[consumer.clusterName]?.services[consumer.serviceName] : undefined;
  if (consumer && service?.status === 'ACTIVE' && service.runningCount >= consumer.tasksToKeepUp) return 0;
  return queue.messagesVisible ?? 0;
}

const nonExistentQueue = () =>
  new AwsError('QueueDoesNotExist', 400, 'The specified queue does not exist.', { queryCode: 'AWS.SimpleQueueService.NonExistentQueue' });

function getQueueAttributes(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input);
  const url = fields.string('QueueUrl');
  // https://sqs.REGION.amazonaws.com/ACCOUNT/NAME
  const m = /^https?:\/\/[^/]+\/(\d{12})\/([\w-]{1,80}(?:\.fifo)?)$/.exec(url);
  const queue = m && m[1] === state.accountId ? state.sqs?.queues[m[2]!] : undefined;
  if (!m || !queue) throw nonExistentQueue();
  const asked = fields.optStrings('AttributeNames') ?? [];
  const all: Record<(typeof ATTRIBUTES)[number], string> = {
    VisibilityTimeout: String(queue.visibilityTimeout),
    MessageRetentionPeriod: String(queue.messageRetentionPeriod),
    CreatedTimestamp: String(epochSeconds(queue.createdAt)),
    QueueArn: `arn:aws:sqs:${state.region}:${state.accountId}:${m[2]!}`,
    ApproximateNumberOfMessages: String(messagesVisible(state, queue)),
  };
  const unknown = asked.find((a) => a !== 'All' && !(ATTRIBUTES as readonly string[]).includes(a));
  if (unknown !== undefined) {
    throw new AwsError('InvalidAttributeName', 400, `Unknown Attribute ${unknown}.`, { queryCode: 'InvalidAttributeName' });
  }
  const picked = asked.includes('All') ? ATTRIBUTES : ATTRIBUTES.filter((a) => asked.includes(a));
  return picked.length === 0 ? {} : { Attributes: Object.fromEntries(picked.map((a) => [a, all[a]])) };
}

export const sqsModel: ServiceModel = {
  protocol: 'awsJson1_0',
  target: 'AmazonSQS',
  queryCompatible: true,
  operations: {
    GetQueueAttributes: { mutating: false, run: getQueueAttributes },
  },
};
