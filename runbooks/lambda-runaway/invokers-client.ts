import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { notifiesFunction, type BucketEvidence, type MappingEvidence, type RuleEvidence } from './invokers';
import { classifyAwsError, hasErrorName } from '../../lambdas/shared/errors';
import { LazyClient, type SdkOf } from '../../lambdas/shared/lazy-sdk';
import { eventBridgeSdk, lambdaSdk, s3Sdk } from '../../lambdas/shared/sdk-modules';

// Each service's module is loaded at its first read (lambdas/shared/lazy-sdk.ts): S3 is read only
// when the function's policy names a bucket, and none is loaded by a step that fails its input.

/** Read-only calls that find what invokes a function. Errors are classified; the handler decides what they mean. */
export class InvokersClient {
  private readonly events: LazyClient<SdkOf<typeof eventBridgeSdk>, EventBridgeClient>;
  private readonly s3: LazyClient<SdkOf<typeof s3Sdk>, S3Client>;
  private readonly lambda: LazyClient<SdkOf<typeof lambdaSdk>, LambdaClient>;

  constructor(events?: EventBridgeClient, s3?: S3Client, lambda?: LambdaClient) {
    this.events = new LazyClient(eventBridgeSdk, (m) => new m.EventBridgeClient({}), events);
    this.s3 = new LazyClient(s3Sdk, (m) => new m.S3Client({}), s3);
    this.lambda = new LazyClient(lambdaSdk, (m) => new m.LambdaClient({}), lambda);
  }

  /** Rules on one bus that target the function, each with its state, schedule or pattern. */
  async rulesTargeting(functionArn: string, eventBus: string): Promise<RuleEvidence[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.call(`events:ListRuleNamesByTarget on ${eventBus}`, this.events, (m, events) =>
        events.send(new m.ListRuleNamesByTargetCommand({ TargetArn: functionArn, EventBusName: eventBus, NextToken: token })));
      names.push(...(out.RuleNames ?? []));
      token = out.NextToken;
    } while (token);
    const rules: RuleEvidence[] = [];
    for (const name of names) {
      const r = await this.call(`events:DescribeRule ${name}`, this.events, (m, events) => events.send(new m.DescribeRuleCommand({ Name: name, EventBusName: eventBus })));
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
      const { m, client } = await this.lambda.get();
      return (await client.send(new m.GetPolicyCommand({ FunctionName: functionName }))).Policy ?? null;
    } catch (e: unknown) {
      if (hasErrorName(e, 'ResourceNotFoundException')) return null;
      throw classifyAwsError(e, `lambda:GetPolicy on ${functionName}`);
    }
  }

  /** The bucket's notifications that reach the function. The bucket must be this account's. */
  async bucketNotifications(bucket: string, functionArn: string, accountId: string): Promise<BucketEvidence[]> {
    const out = await this.call(`s3:GetBucketNotificationConfiguration on ${bucket}`, this.s3, (m, s3) =>
      s3.send(new m.GetBucketNotificationConfigurationCommand({ Bucket: bucket, ExpectedBucketOwner: accountId })));
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
      const out = await this.call(`lambda:ListEventSourceMappings for ${functionName}`, this.lambda, (m, lambda) =>
        lambda.send(new m.ListEventSourceMappingsCommand({ FunctionName: functionName, Marker: marker })));
      mappings.push(...(out.EventSourceMappings ?? []).map((m) => ({ eventSourceArn: m.EventSourceArn ?? '?', state: m.State ?? 'UNKNOWN', batchSize: m.BatchSize ?? null })));
      marker = out.NextMarker;
    } while (marker);
    return mappings;
  }

  /** One call with the service's client (its module loaded at the first); a failure to load it is classified like the call's own. */
  private async call<M, C, T>(doing: string, lazy: LazyClient<M, C>, send: (m: M, client: C) => Promise<T>): Promise<T> {
    try {
      const { m, client } = await lazy.get();
      return await send(m, client);
    } catch (e: unknown) {
      throw classifyAwsError(e, doing);
    }
  }
}
