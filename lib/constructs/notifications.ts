import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationsProps {
  readonly criticalEmails: readonly string[];
  readonly infoEmails: readonly string[];
}

/**
 * The critical and info topics (seed 004: one pages, one records), encrypted with a key that
 * CloudWatch alarms and AWS Budgets may use to publish, as both services require for SSE topics.
 */
export class Notifications extends Construct {
  public readonly critical: sns.Topic;
  public readonly info: sns.Topic;
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'TopicKey', {
      description: 'runbook-autopilot SNS topics',
      enableKeyRotation: true,
    });
    for (const service of ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com']) {
      this.key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(service)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }));
    }
    this.critical = this.topic('Critical', 'runbook-autopilot: escalations (a human must act)', props.criticalEmails);
    this.info = this.topic('Info', 'runbook-autopilot: remediations and skipped events, for the record', props.infoEmails);
  }

  /** An encrypted, TLS-only topic with email subscribers. */
  topic(id: string, displayName: string, emails: readonly string[] = []): sns.Topic {
    const topic = new sns.Topic(this, id, { displayName, masterKey: this.key, enforceSSL: true });
    for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }

  /** Lets the function publish to the critical topic only and tells it its ARN. */
  bindCritical(fn: lambda.Function): void {
    fn.addEnvironment('CRITICAL_TOPIC_ARN', this.critical.topicArn);
    this.critical.grantPublish(fn);
  }

  /** Lets the function publish to both topics and tells it their ARNs. */
  bind(fn: lambda.Function): void {
    fn.addEnvironment('CRITICAL_TOPIC_ARN', this.critical.topicArn);
    fn.addEnvironment('INFO_TOPIC_ARN', this.info.topicArn);
    this.critical.grantPublish(fn);
    this.info.grantPublish(fn);
  }
}
