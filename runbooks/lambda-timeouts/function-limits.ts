import { FunctionConfigurationClient, type FunctionConfiguration } from '../../lambdas/aws/lambda';
import { QueueClient } from '../../lambdas/aws/sqs';
import { sqsQueues, type QueueLimit } from './timeout-plan';

/** A function's configuration and the SQS queues that limit its timeout, read together. */
export class FunctionLimits {
  constructor(
    readonly functions = new FunctionConfigurationClient(),
    private readonly queues = new QueueClient(),
  ) {}

  async configuration(functionName: string): Promise<FunctionConfiguration> {
    return this.functions.read(functionName);
  }

  /** Each SQS queue among the function's event sources, with its visibility timeout. */
  async queueLimits(functionName: string): Promise<QueueLimit[]> {
    const sources = await this.functions.eventSources(functionName);
    const limits: QueueLimit[] = [];
    for (const queueArn of sqsQueues(sources.map((s) => s.eventSourceArn))) limits.push({ queueArn, visibilityTimeout: await this.queues.visibilityTimeout(queueArn) });
    return limits;
  }
}
