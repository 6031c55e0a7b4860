import { DescribeRuleCommand, EventBridgeClient, ListRuleNamesByTargetCommand } from '@aws-sdk/client-eventbridge';
import { GetPolicyCommand, LambdaClient, ListEventSourceMappingsCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { GetBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { notifiesFunction, type BucketEvidence, type MappingEvidence, type RuleEvidence } from './invokers';
import { classifyAwsError } from '../../lambdas/shared/errors';

/** Read-only calls that find what invokes a function. Errors are classified; the handler decides what they mean. */
export class InvokersClient {
  constructor(
    private readonly events: EventBridgeClient = new EventBridgeClient({}),
    private readonly s3: S3Client = new S3Client({}),
    private readonly lambda: LambdaClient = new LambdaClient({}),
  ) {}

  /** Rules on one bus that target the function, each with its state, schedule or pattern. */
  async rulesTargeting(functionArn: string, eventBus: string): Promise<RuleEvidence[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.call(`events:ListRuleNamesByTarget on ${eventBus}`, () =>
        this.events.send(new ListRuleNamesByTargetCommand({ TargetArn: functionArn, EventBusName: eventBus, NextToken: token })));
      names.push(...(out.RuleNames ?? []));
      token = out.NextToken;
    } while (token);
    const rules: RuleEvidence[] = [];
    for (const name of names) {
      const r = await this.call(`events:DescribeRule ${name}`, () => this.events.send(new DescribeRuleCommand({ Name: name, EventBusName: eventBus })));
      rules.push({
        name, eventBus, state: r.State ?? 'UNKNOWN',
        ...(r.ScheduleExpression ? { schedule: r.ScheduleExpression } : {}), ...(r.EventPattern ? { pattern: r.EventPattern } : {}),
      });
    }
    return rules;
  }

  /** The function's resource policy (JSON), or null when it has none (Lambda answers 404). */
  async policy(functionName: string): Promise<string | null> {
    try {
      return (await this.lambda.send(new GetPolicyCommand({ FunctionName: functionName }))).Policy ?? null;
    } catch (e: unknown) {
      if (e instanceof ResourceNotFoundException) return null;
      throw classifyAwsError(e, `lambda:GetPolicy on ${functionName}`);
    }
  }

  /** The bucket's notifications that reach the function. The bucket must be this account's. */
  async bucketNotifications(bucket: string, functionArn: string, accountId: string): Promise<BucketEvidence[]> {
    const out = await this.call(`s3:GetBucketNotificationConfiguration on ${bucket}`, () =>
      this.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket, ExpectedBucketOwner: accountId })));
    return (out.LambdaFunctionConfigurations ?? []).filter((c) => notifiesFunction(c.LambdaFunctionArn, functionArn)).map((c) => {
      const rules = c.Filter?.Key?.FilterRules ?? [];
      const rule = (name: string) => rules.find((r) => r.Name?.toLowerCase() === name)?.Value;
      const prefix = rule('prefix');
      const suffix = rule('suffix');
      return { bucket, events: c.Events ?? [], ...(prefix ? { prefix } : {}), ...(suffix ? { suffix } : {}) };
    });
  }

  async eventSourceMappings(functionName: string): Promise<MappingEvidence[]> {
    const mappings: MappingEvidence[] = [];
    let marker: string | undefined;
    do {
      const out = await this.call(`lambda:ListEventSourceMappings for ${functionName}`, () =>
        this.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName, Marker: marker })));
      mappings.push(...(out.EventSourceMappings ?? []).map((m) => ({ eventSourceArn: m.EventSourceArn ?? '?', state: m.State ?? 'UNKNOWN', batchSize: m.BatchSize ?? null })));
      marker = out.NextMarker;
    } while (marker);
    return mappings;
  }

  private async call<T>(doing: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e: unknown) {
      throw classifyAwsError(e, doing);
    }
  }
}
