import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { TagResource } from '../domain/tag-resources';
import { classifyAwsError, hasErrorName, InvalidInput } from './errors';
import { LazyClient } from './lazy-sdk';
import { dynamoDbSdk, ecsSdk, lambdaSdk } from './sdk-modules';

// Tags are read only for targets allowlisted by tag: each SDK client is loaded on its first read,
// not at every cold start of the functions that may need it (most never do).

/** Where the caller runs: target ARNs are built in its partition, region and account. */
export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The scope of the function being invoked, from its own ARN (the Lambda context). */
export function scopeOf(invokedFunctionArn: string): ArnScope {
  const [, partition, , region, account] = invokedFunctionArn.split(':');
  if (!partition || !region || !account) throw new InvalidInput(`Cannot read partition, region and account from ${invokedFunctionArn}`);
  return { partition, region, account };
}

const prefix = (s: ArnScope, service: string) => `arn:${s.partition}:${service}:${s.region}:${s.account}`;

/**
 * Reads a target's tags for the tag allowlist, by the kind of resource it is: a function
 * (lambda:ListTags), a table (dynamodb:ListTagsOfResource) or a "cluster/service"
 * (ecs:ListTagsForResource). Null when the resource does not exist; other errors are classified
 * for the state machine's Retry and Catch.
 */
export class TargetTagReader {
  private readonly lambda = new LazyClient(lambdaSdk, (m): LambdaClient => new m.LambdaClient({}));
  private readonly dynamodb = new LazyClient(dynamoDbSdk, (m): DynamoDBClient => new m.DynamoDBClient({}));
  private readonly ecs = new LazyClient(ecsSdk, (m): ECSClient => new m.ECSClient({}));

  async read(resource: TagResource, target: string, scope: ArnScope): Promise<Record<string, string> | null> {
    switch (resource) {
      case 'lambda:function': return this.functionTags(target, scope);
      case 'dynamodb:table': return this.tableTags(target, scope);
      case 'ecs:service': return this.serviceTags(target, scope);
    }
  }

  private async functionTags(name: string, scope: ArnScope): Promise<Record<string, string> | null> {
    const arn = `${prefix(scope, 'lambda')}:function:${name}`;
    const { m, client } = await this.lambda.get();
    try {
      const out = await client.send(new m.ListTagsCommand({ Resource: arn }));
      return out.Tags ?? {};
    } catch (e: unknown) {
      if (hasErrorName(e, 'ResourceNotFoundException')) return null;
      throw classifyAwsError(e, `lambda:ListTags on ${name}`);
    }
  }

  private async tableTags(name: string, scope: ArnScope): Promise<Record<string, string> | null> {
    const arn = `${prefix(scope, 'dynamodb')}:table/${name}`;
    const tags: Record<string, string> = {};
    const { m, client } = await this.dynamodb.get();
    try {
      let next: string | undefined;
      do {
        const out = await client.send(new m.ListTagsOfResourceCommand({ ResourceArn: arn, NextToken: next }));
        for (const t of out.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
        next = out.NextToken;
      } while (next);
      return tags;
    } catch (e: unknown) {
      if (hasErrorName(e, 'ResourceNotFoundException')) return null;
      throw classifyAwsError(e, `dynamodb:ListTagsOfResource on ${name}`);
    }
  }

  private async serviceTags(key: string, scope: ArnScope): Promise<Record<string, string> | null> {
    const arn = `${prefix(scope, 'ecs')}:service/${key}`;
    const { m, client } = await this.ecs.get();
    try {
      const out = await client.send(new m.ListTagsForResourceCommand({ resourceArn: arn }));
      return Object.fromEntries((out.tags ?? []).filter((t) => t.key !== undefined).map((t) => [t.key!, t.value ?? '']));
    } catch (e: unknown) {
      // ECS answers an unknown service's ARN with InvalidParameterException or ClusterNotFoundException.
      if (hasErrorName(e, 'ClusterNotFoundException', 'ServiceNotFoundException', 'InvalidParameterException')) return null;
      throw classifyAwsError(e, `ecs:ListTagsForResource on ${key}`);
    }
  }
}
