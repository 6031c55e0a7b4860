import { GetQueueAttributesCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { classifyAwsError } from '../shared/errors';

/**
 * The queue URL of an SQS queue ARN (arn:PARTITION:sqs:REGION:ACCOUNT:NAME), as the regional
 * endpoint serves it.
 */
export function queueUrlOf(queueArn: string): string {
  const [, partition, , region, account, name] = queueArn.split(':');
  if (!partition || !region || !account || !name) throw new Error(`not an SQS queue ARN: ${queueArn}`);
  return `https://sqs.${region}.amazonaws.com${partition === 'aws-cn' ? '.cn' : ''}/${account}/${name}`;
}

export class QueueClient {
  constructor(
    /** Sent to the region's endpoint (AWS_ENDPOINT_URL_SQS where set), not to the queue URL's host. */
    private readonly sqs: SQSClient = new SQSClient({ useQueueUrlAsEndpoint: false }),
  ) {}

  /** The messages waiting in the queue (ApproximateNumberOfMessages); null when the queue does not exist. */
  async messagesVisible(queueArn: string): Promise<number | null> {
    try {
      const out = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrlOf(queueArn), AttributeNames: ['ApproximateNumberOfMessages'] }));
      const value = Number(out.Attributes?.ApproximateNumberOfMessages);
      if (!Number.isInteger(value)) throw new Error(`sqs:GetQueueAttributes returned no ApproximateNumberOfMessages for ${queueArn}`);
      return value;
    } catch (e: unknown) {
      if (e instanceof QueueDoesNotExist) return null;
      throw classifyAwsError(e, `sqs:GetQueueAttributes on ${queueArn}`);
    }
  }

  /** The queue's visibility timeout in seconds; null when the queue does not exist. */
  async visibilityTimeout(queueArn: string): Promise<number | null> {
    try {
      const out = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrlOf(queueArn), AttributeNames: ['VisibilityTimeout'] }));
      const value = Number(out.Attributes?.VisibilityTimeout);
      if (!Number.isInteger(value)) throw new Error(`sqs:GetQueueAttributes returned no VisibilityTimeout for ${queueArn}`);
      return value;
    } catch (e: unknown) {
      if (e instanceof QueueDoesNotExist) return null;
      throw classifyAwsError(e, `sqs:GetQueueAttributes on ${queueArn}`);
    }
  }
}
