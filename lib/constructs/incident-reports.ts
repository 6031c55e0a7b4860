import { Duration, RemovalPolicy, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { REPORT_PREFIX } from '../../lambdas/domain/report-key';

export interface IncidentReportsProps {
  /** Keep the bucket, its reports and their key when the stack is deleted. @default true */
  readonly retainOnDelete?: boolean;
  /** How long a report's earlier versions (before a redrive or an undo rewrote it) are kept. @default Duration.days(365) */
  readonly earlierVersionsKeptFor?: Duration;
}

/**
 * The post-incident reports (docs/reports.md): one Markdown object per incident under
 * `incidents/`, written by the report step of every state machine and by the execution-failure
 * notifier. Private (public access blocked, objects owned by the bucket owner, TLS only),
 * encrypted with a key of its own, versioned (a rewrite keeps the earlier text), with a lifecycle
 * rule for earlier versions and abandoned uploads. The reports themselves never expire: each is an
 * incident's record, as its ledger rows are.
 */
export class IncidentReports extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: IncidentReportsProps = {}) {
    super(scope, id);
    const removalPolicy = props.retainOnDelete ?? true ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.key = new kms.Key(this, 'Key', { description: 'runbook-autopilot incident reports', enableKeyRotation: true, removalPolicy });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      // One data key per bucket rather than per object: far fewer KMS requests for the same encryption.
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{
        id: 'earlier-report-versions',
        noncurrentVersionExpiration: props.earlierVersionsKeptFor ?? Duration.days(365),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
        expiredObjectDeleteMarker: true,
      }],
      removalPolicy,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'No server access logs: the only writer is the report function\'s role (s3:PutObject under incidents/ only), every version of every report is kept (versioning), and a report is rebuilt from the remediation ledger, which is the audit record (point-in-time recovery). Object-level access is audited with CloudTrail data events where the account records them; server access logs would need a second, SSE-S3 bucket of their own, itself unlogged.',
    });
  }

  /**
   * Lets the function write reports and tells it the bucket: s3:PutObject under incidents/ only (no
   * read, delete or tagging: bucket.grantPut would add retention, legal hold and tagging), and the
   * data key for the bucket's KMS encryption.
   */
  bind(fn: lambda.Function): void {
    fn.addEnvironment('REPORT_BUCKET', this.bucket.bucketName);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${REPORT_PREFIX}*`)] }));
    this.key.grant(fn, 'kms:GenerateDataKey');
    // cdk-nag names the finding by the resource as it renders it: the bucket's ARN as <LogicalId.Arn>.
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnResource);
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${REPORT_PREFIX}*]`,
      reason: 'The report writers put one object per incident under incidents/, named after the incident\'s day, runbook and target: the keys are not known at synth. Only s3:PutObject, only under that prefix of this bucket.',
    });
  }
}
