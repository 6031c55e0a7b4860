/**
 * s3-access-denied (seed 003 §3 "S3 Access Issues: Access Denied errors in logs; check bucket
 * policy, versioning, the Lambda execution role's policy; fix bucket permissions"): an alarm on a
 * configured bucket's 4xxErrors request metric, or CloudTrail's record of an S3 call refused with
 * AccessDenied on it, starts it. It reads the bucket's policy, Block Public Access, default
 * encryption (and the KMS key policy), versioning, simulates the call with IAM's policy simulator
 * and pages with the verdict in one sentence, the evidence and, as a proposal, the statement that
 * would allow the call. Read-only: "fix bucket permissions" stays a person's.
 */
import { z } from 'zod';
import { runbookBase } from '../config';
import { json, type AlarmSpec, type Arns, type HandlerDef } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';
import type { BucketPolicy } from './verdict';

/** A bucket name as S3 allows it (general purpose buckets). */
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens');
const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name');
const keyArn = z.string().regex(/^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)');

const config = z.strictObject({
  ...runbookBase,
  targets: z.array(z.strictObject({
    bucket: bucketName,
    /** The request metrics configuration the 4xxErrors alarm watches (S3 publishes request metrics only for a configured filter). */
    filterId: z.string().min(1).max(64).default('EntireBucket'),
    /** The agent roles that use the bucket: simulated when an alarm names no one, and the only principals the runbook may simulate. */
    roles: z.array(roleName).min(1),
    /** The calls an alarm is diagnosed for (an event names its own). */
    actions: z.array(z.enum(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'])).min(1).default(['s3:GetObject', 's3:PutObject']),
    /** The key prefixes the agents use: each is simulated as <prefix>*. */
    prefixes: z.array(z.string().max(512)).min(1).default(['']),
    /** The bucket's SSE-KMS key, when it has one: its key policy is read (kms:GetKeyPolicy is granted on this key only). */
    kmsKeyArn: keyArn.optional(),
    /** 4xxErrors (a sum a minute) above this for `evaluationPeriods` minutes fires the alarm. */
    errorsThreshold: z.number().int().min(0).default(5),
    evaluationPeriods: z.number().int().min(1).max(60).default(3),
  })).min(1),
});
export type S3AccessDeniedConfig = z.infer<typeof config>;

const policies = (c: S3AccessDeniedConfig, arns: Arns): Record<string, BucketPolicy> => Object.fromEntries(c.targets.map((t) => [
  t.bucket, { roles: t.roles.map((r) => arns.iamRole(r)), actions: t.actions, prefixes: t.prefixes, ...(t.kmsKeyArn ? { kmsKeyArn: t.kmsKeyArn } : {}) },
]));

export default defineRunbook({
  name: 's3-access-denied',
  answers: ['s3-access'],
  config,
  targets: (c) => c.targets.map((t) => t.bucket),
  trigger: {
    kind: 'alarm',
    route: {
      selectors: [{ namespaces: ['AWS/S3'], metricNames: ['4xxErrors'], alarmedMetricOnly: true }],
      targetDimensions: ['BucketName'],
    },
    dimensions: (c) => c.targets.map((t) => ({ BucketName: t.bucket, FilterId: t.filterId })),
  },
  // S3 object calls are data events: they reach EventBridge only when a trail logs the bucket's data events.
  events: {
    kind: 'event',
    routes: [{ event: 's3-api-call', detail: { eventSource: ['s3.amazonaws.com'], errorCode: ['AccessDenied'] } }],
    targetValues: ({ config: c }) => c.targets.map((t) => t.bucket),
  },
  stateMachine: { definition },
  handlers: ({ config: c, arns }): HandlerDef[] => [{
    id: 'S3AccessDeniedDiagnose', substitution: 'DiagnoseFunctionArn', entry: 'runbooks/s3-access-denied/handlers/diagnose.ts', usesLedger: false,
    description: "s3-access-denied: read the bucket's policies and simulate the refused call",
    environment: { BUCKET_POLICIES: json(policies(c, arns)) },
    permissions: [
      // GetPublicAccessBlock is authorized as s3:GetBucketPublicAccessBlock, GetBucketEncryption as s3:GetEncryptionConfiguration.
      { actions: ['s3:GetBucketPolicy', 's3:GetBucketPublicAccessBlock', 's3:GetEncryptionConfiguration', 's3:GetBucketVersioning'], resources: c.targets.map((t) => arns.s3Bucket(t.bucket)) },
      ...(c.targets.some((t) => t.kmsKeyArn) ? [{ actions: ['kms:GetKeyPolicy'], resources: [...new Set(c.targets.flatMap((t) => (t.kmsKeyArn ? [t.kmsKeyArn] : [])))] }] : []),
      // SimulatePrincipalPolicy's resource is the principal simulated: the configured roles only.
      { actions: ['iam:SimulatePrincipalPolicy'], resources: [...new Set(c.targets.flatMap((t) => t.roles.map((r) => arns.iamRole(r))))] },
    ],
  }],
  alarms: (c) => c.targets.map((t): AlarmSpec => ({
    id: `${t.bucket}-4xx-errors`,
    description: `Seed 003 §3 "S3 Access Issues": 4xxErrors of ${t.bucket} (request metrics ${t.filterId}) above ${t.errorsThreshold} a minute for ${t.evaluationPeriods} minutes. Starts s3-access-denied, which reads the bucket's policies, simulates the agents' calls and pages with the verdict.`,
    metric: { namespace: 'AWS/S3', metricName: '4xxErrors', dimensions: { BucketName: t.bucket, FilterId: t.filterId }, statistic: 'Sum', periodMinutes: 1 },
    threshold: t.errorsThreshold, comparison: 'GreaterThanThreshold', evaluationPeriods: t.evaluationPeriods, datapointsToAlarm: t.evaluationPeriods,
    treatMissingData: 'notBreaching',
  })),
  drill: {
    event: 'events/s3-access-denied.event.json',
    samples: ['events/samples/s3-access-denied.alarm.json'],
    scenarios: ['drill/scenarios/s3-access-denied-role-lacks-allow.json', 'drill/scenarios/s3-access-denied-not-explained.json'],
    // What its verdict reads besides the bucket (its target): the roles' policies and the bucket's key; every run leaves them as they were.
    watches: (c) => [...new Set(c.targets.flatMap((t) => [...t.roles, ...(t.kmsKeyArn ? [t.kmsKeyArn] : [])]))],
    changes: {},
    // Read-only: it pages with the verdict; nothing in the account changes.
    ends: 'escalated',
    // admit -> the bucket's reads, the key policy, the simulator -> the page
    calls: [
      { call: 's3:GetBucketPolicy', state: 'Diagnose access' },
      { call: 's3:GetPublicAccessBlock', state: 'Diagnose access' },
      { call: 's3:GetBucketEncryption', state: 'Diagnose access' },
      { call: 's3:GetBucketVersioning', state: 'Diagnose access' },
      // A key or a principal that does not exist is part of the verdict, not the target gone.
      { call: 'kms:GetKeyPolicy', state: 'Diagnose access', notFound: 'nothing' },
      { call: 'iam:SimulatePrincipalPolicy', state: 'Diagnose access', notFound: 'nothing' },
      { call: 'sns:Publish', state: 'Page: the access verdict' },
    ],
  },
});
