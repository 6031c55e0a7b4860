import { Token, Validations, type Stack } from 'aws-cdk-lib';
import type { EnvironmentConfig } from './config/schema';

/** One accepted cdk-nag finding and why. */
interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/**
 * The cdk-nag findings this app accepts, each with its reason. Everything else fails synth.
 * The no-mutation-on-"*" rule the wildcard acknowledgement would otherwise hide is asserted by
 * the infrastructure tests (test/infra/stack.test.ts).
 */
export const NAG_ACKNOWLEDGEMENTS: readonly Acknowledgement[] = [
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Only for APIs without resource-level permissions: X-Ray trace upload and CloudWatch Logs delivery (Lambda tracing, state machine logging), ce:GetCostAndUsage, lambda:ListEventSourceMappings, events:ListRuleNamesByTarget and dynamodb:ListBackups (list actions with no resource type; the backup step lists backups so a retry adopts the one an earlier attempt made instead of making a second), ecs:ListTasks (scoped to the configured clusters by the ecs:cluster condition), and cloudwatch:DescribeAlarms (read-only; the verify step reads the alarm that fired, and DescribeAlarms returns composite alarms only when granted on "*"). The only writes on "*" are the CloudWatch Logs delivery actions Step Functions logging requires, which AWS documents as having no resource-level permissions; no action on a remediation target is granted on "*".',
  },
  {
    id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason: 'Publishing to an SSE-KMS topic needs kms:GenerateDataKey* on the topic key; the grant is scoped to that one key.',
  },
  {
    id: 'AwsSolutions-SQS3',
    reason: 'These queues are the dead-letter queues of rules and subscriptions; a dead-letter queue has no dead-letter queue of its own.',
  },
];

/** Per-construct findings: resources that name a set which cannot be listed at synth. */
export function acknowledgeNagFindings(stack: Stack, config: EnvironmentConfig): void {
  Validations.of(stack).acknowledge(...NAG_ACKNOWLEDGEMENTS);
  // cdk-nag names the finding by the resource as it renders it: pseudo parameters in <...>.
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const clusters = new Set(config.runbooks['ecs-service-recovery'].targets.map((t) => t.clusterName));
  Validations.of(stack).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:${region}:${account}:alarm:*]`,
    reason: 'The alarm router reads the tags (cloudwatch:ListTagsForResource, read-only) of whichever alarm fired; which alarms a team tags is not known at synth.',
  });
  Validations.of(stack).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:${region}:${account}:rule/*]`,
    reason: 'lambda-runaway describes (events:DescribeRule, read-only) the rules that target a stopped function; which rules those are is what it finds out.',
  });
  Validations.of(stack).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]',
    reason: 'lambda-runaway reads the notification configuration (s3:GetBucketNotification, read-only) of the buckets a stopped function\'s policy lets S3 invoke it from, found at run time; limited to this account\'s buckets by the s3:ResourceAccount condition.',
  });
  const tasksTable = config.runbooks['dynamodb-throttling'].stuckTasks?.tableName;
  if (tasksTable) {
    Validations.of(stack).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:${region}:${account}:table/${tasksTable}/backup/*]`,
      reason: `dynamodb-throttling waits (dynamodb:DescribeBackup, read-only) for the on-demand backup it takes of ${tasksTable}; the backup ARN is made when the backup is.`,
    });
  }
  // Allowlisting by tag: the runbook's actions on its resource type, only under aws:ResourceTag
  // conditions (and tag reads, read-only, so an untagged resource can be refused).
  const tagged = (runbook: 'lambda-runaway' | 'dynamodb-throttling' | 'ecs-service-recovery', resource: string) => {
    const tags = config.runbooks[runbook].targetTags;
    if (!config.runbooks[runbook].enabled || !tags) return;
    Validations.of(stack).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${resource}]`,
      reason: `${runbook} allowlists targets by tag (${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(', ')}): its actions, and the undo's inverse actions, are granted on this resource type only where aws:ResourceTag matches; reading tags is granted on any, so an untagged target can be refused.`,
    });
  };
  tagged('lambda-runaway', `lambda:${region}:${account}:function:*`);
  tagged('dynamodb-throttling', `dynamodb:${region}:${account}:table/*`);
  for (const cluster of clusters) tagged('ecs-service-recovery', `ecs:${region}:${account}:service/${cluster}/*`);
  for (const cluster of clusters) {
    Validations.of(stack).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${region}:${account}:task/${cluster}/*]`,
      reason: `DescribeTasks reads the stopped tasks of cluster ${cluster}; task ids are not known before the tasks run.`,
    });
  }
}
