import type { SQSClient } from '@aws-sdk/client-sqs';
import { classifyAwsError, hasErrorName } from '../shared/errors';
import { LazyClient, type SdkOf } from '../shared/lazy-sdk';
import { sqsSdk } from '../shared/sdk-modules';


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
  private readonly sqs: LazyClient<SdkOf<typeof sqsSdk>, SQSClient>;

  constructor(client?: SQSClient) {
    /** Sent to the region's endpoint (AWS_ENDPOINT_URL_SQS where set), not to the queue URL's host. */
    this.sqs = new LazyClient(sqsSdk, (m) => new m.SQSClient({ useQueueUrlAsEndpoint: false }), client);
  }

  /** The messages waiting in the queue (ApproximateNumberOfMessages); null when the queue does not exist. */
  async messagesVisible(queueArn: string): Promise<number | null> {
    try {
      const { m, client } = await this.sqs.get();
      const out = await client.send(new m.GetQueueAttributesCommand({ QueueUrl: queueUrlOf(queueArn), AttributeNames: ['ApproximateNumberOfMessages'] }));
      const value = Number(out.Attributes?.ApproximateNumberOfMessages);
      if (!Number.isInteger(value)) throw new Error(`sqs:GetQueueAttributes returned no ApproximateNumberOfMessages for ${queueArn}`);
      return value;
    } catch (e: unknown) {
      if (hasErrorName(e, 'QueueDoesNotExist')) return null;
      throw classifyAwsError(e, `sqs:GetQueueAttributes on ${queueArn}`);
    }
  }

  /** The queue's visibility timeout in seconds; null when the queue does not exist. */
  async visibilityTimeout(queueArn: string): Promise<number | null> {
    try {
      const { m, client } = await this.sqs.get();
      const out = await client.send(new m.GetQueueAttributesCommand({ QueueUrl: queueUrlOf(queueArn), AttributeNames: ['VisibilityTimeout'] }));
      const value = Number(out.Attributes?.VisibilityTimeout);
      if (!Number.isInteger(value)) throw new Error(`sqs:GetQueueAttributes returned no VisibilityTimeout for ${queueArn}`);
      return value;
    } catch (e: unknown) {
      if (hasErrorName(e, 'QueueDoesNotExist')) return null;
      throw classifyAwsError(e, `sqs:GetQueueAttributes on ${queueArn}`);
    }
  }
}
