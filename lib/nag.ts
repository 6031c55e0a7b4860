import { Token, Validations, type Stack } from 'aws-cdk-lib';
import { contextOf, MODULES } from './catalog';
import type { EnvironmentConfig } from './config/schema';
import { literalArns, type Acknowledgement } from '../runbooks/kit';
import { TAG_RESOURCES } from '../lambdas/domain/tag-resources';

/**
 * The cdk-nag findings this app accepts, each with its reason. Everything else fails synth.
 * The no-mutation-on-"*" rule the wildcard acknowledgement would otherwise hide is asserted by
 * the infrastructure tests (test/infra/stack.test.ts).
 */
export const NAG_ACKNOWLEDGEMENTS: readonly Acknowledgement[] = [
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Only for APIs without resource-level permissions: X-Ray trace upload and CloudWatch Logs delivery (Lambda tracing, state machine logging), ce:GetCostAndUsage, lambda:ListEventSourceMappings, events:ListRuleNamesByTarget and dynamodb:ListBackups (list actions with no resource type; the backup step lists backups so a retry adopts the one an earlier attempt made instead of making a second), ecs:ListTasks (scoped to the configured clusters by the ecs:cluster condition), cloudwatch:DescribeAlarms (read-only; the verify step reads the alarm that fired, and DescribeAlarms returns composite alarms only when granted on "*"), cloudwatch:GetMetricData (read-only; a query of metrics, published by an application or by an AWS service, names no resource), cloudtrail:LookupEvents (read-only; it has no resource type), and ec2:DescribeInstanceStatus, ec2:DescribeInstances and ec2:DescribeRouteTables (read-only; the EC2 Describe actions have no resource-level permissions; the NAT instance page reads its status checks and routes with them, and only where an alarm is routed to nat-instance-down). The only writes on "*" are the CloudWatch Logs delivery actions Step Functions logging requires, which AWS documents as having no resource-level permissions; no action on a remediation target is granted on "*".',
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

/**
 * Per-construct findings: resources that name a set which cannot be listed at synth. Each runbook's
 * module acknowledges what its own grants raise; the tag allowlist's are the same for every runbook.
 */
export function acknowledgeNagFindings(stack: Stack, config: EnvironmentConfig): void {
  Validations.of(stack).acknowledge(...NAG_ACKNOWLEDGEMENTS);
  // cdk-nag names the finding by the resource as it renders it: pseudo parameters in <...>.
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const arns = literalArns('<AWS::Partition>', region, account);
  Validations.of(stack).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:${region}:${account}:alarm:*]`,
    reason: 'The alarm router reads the tags (cloudwatch:ListTagsForResource, read-only) of whichever alarm fired; which alarms a team tags is not known at synth.',
  });
  for (const module of MODULES) {
    const ctx = contextOf(module, config, arns);
    const acknowledgements = [...(module.nag?.({ config: ctx.config, arns }) ?? [])];
    // Allowlisting by tag: the runbook's actions on its resource type, only under aws:ResourceTag
    // conditions (and tag reads, read-only, so an untagged resource can be refused).
    const tags = ctx.config.targetTags;
    if (module.tags && ctx.config.enabled && tags) {
      for (const pattern of module.tags.pattern(ctx)) {
        acknowledgements.push({
          id: `AwsSolutions-IAM5[Resource::${pattern}]`,
          reason: `${module.name} allowlists targets by tag (${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(', ')}): its actions, and the undo's inverse actions, are granted on this resource type only where aws:ResourceTag matches; reading tags (${TAG_RESOURCES[module.tags.resource].readAction}, read-only) is granted on any, so an untagged target can be refused.`,
        });
      }
    }
    if (acknowledgements.length > 0) Validations.of(stack).acknowledge(...acknowledgements);
  }
}
