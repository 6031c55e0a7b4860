import { applicationAutoScalingModel } from './application-autoscaling';
import { agentcoreModel } from './agentcore';
import { AGENTCORE_GATEWAY_ID } from './seed-agentcore';
import { cloudWatchModel } from './cloudwatch';
import { costExplorerModel } from './cost-explorer';
import { ecsModel } from './ecs';
import { iamModel } from './iam';
import { cloudTrailModel } from './cloudtrail';
import { ec2Model } from './ec2';
import { NAT_INSTANCE } from './seed-nat-instance';
import { CI_DEPLOYER_KEY } from './seed-credentials';
import { kmsModel } from './kms';
import { eventsModel } from './events';
import { FAULTS } from './fault-table';
import type { ServiceFaults } from './faults';
import type { Input } from './input';
import { lambdaModel } from './lambda';
import { rdsModel } from './rds';
import { logsModel } from './logs';
import type { ServiceModel } from './model';
import { s3Model } from './s3';
import { secretsManagerModel } from './secrets-manager';
import {
  ADMIN_SERVICE,
  AGENT_QUEUE_BUCKET,
  ECS_CLUSTER,
  MODEL_PREFERENCE_PARAMETER,
  PROXY_SECRET,
  RESEARCHER_FUNCTION,
  SANDBOX_ACCOUNT_ID,
  SANDBOX_REGION,
  SEED_MODEL,
  SEED_STATE_MACHINE,
  TOPIC_ARNS,
} from './seed-account';
import { WORKER_CLUSTER, WORKER_SERVICE } from './seed-workers';
import { TIMEOUT_FUNCTION, TIMEOUT_QUEUE_URL } from './seed-timeouts';
import { TRADAI_DB } from './seed-tradai';
import { ARTIFACTS_BUCKET, ARTIFACTS_KEY_ID, ENGINEER_ROLE } from './seed-s3-access';
import { schedulerModel } from './scheduler';
import { sfnModel } from './sfn';
import { snsModel } from './sns';
import { sqsModel } from './sqs';
import { ssmModel } from './ssm';
import type { AccountState } from './state';

/**
 * The services the sandbox models, one entry each. Adding a service takes its model file, its
 * seed (its part of AccountState in state.ts, seeded in seed-account.ts), its row in fault-table.ts and
 * an entry here; test/sandbox/checklist.test.ts then runs it through every fault kind with its SDK
 * client and names what is missing.
 */
export interface ServiceEntry {
  /** The IAM action prefix: fault specs (`--fault NAME:Operation=...`), the call log and access-denied messages use it. */
  readonly name: string;
  /** The SigV4 signing name the sandbox routes on, when it is not the name (CloudWatch signs as `monitoring`). */
  readonly signingName?: string;
  /** AWS_ENDPOINT_URL_<serviceId>: the variable the SDK client reads its endpoint from. */
  readonly endpointVariable: string;
  /** The AWS SDK v3 package whose client calls it. */
  readonly sdk: string;
  readonly model: ServiceModel;
  /** Its row of the fault table. */
  readonly faults: ServiceFaults | undefined;
  /** Its resources in the seed account. */
  readonly seed: (state: AccountState) => unknown;
  /** Client settings its callers use too (lambdas/aws/): SQS sends to the region's endpoint, not the queue URL's host. */
  readonly clientConfig?: Readonly<Record<string, unknown>>;
  /** One call (SDK command input) the seed account answers; a mutating one where the model has one. */
  readonly probe: { readonly operation: string; readonly input: Input };
}

export const SERVICE_REGISTRY = [
  {
    name: 'lambda', endpointVariable: 'AWS_ENDPOINT_URL_LAMBDA', sdk: '@aws-sdk/client-lambda', model: lambdaModel, faults: FAULTS.lambda,
    seed: (s) => s.lambda.functions,
    probe: { operation: 'PutFunctionConcurrency', input: { FunctionName: RESEARCHER_FUNCTION, ReservedConcurrentExecutions: 0 } },
  },
  {
    name: 'ecs', endpointVariable: 'AWS_ENDPOINT_URL_ECS', sdk: '@aws-sdk/client-ecs', model: ecsModel, faults: FAULTS.ecs,
    seed: (s) => s.ecs.clusters,
    probe: { operation: 'UpdateService', input: { cluster: ECS_CLUSTER, service: ADMIN_SERVICE, forceNewDeployment: true } },
  },
  {
    name: 'ssm', endpointVariable: 'AWS_ENDPOINT_URL_SSM', sdk: '@aws-sdk/client-ssm', model: ssmModel, faults: FAULTS.ssm,
    seed: (s) => s.ssm.parameters,
    probe: { operation: 'PutParameter', input: { Name: MODEL_PREFERENCE_PARAMETER, Value: SEED_MODEL, Overwrite: true } },
  },
  {
    name: 'ce', endpointVariable: 'AWS_ENDPOINT_URL_COST_EXPLORER', sdk: '@aws-sdk/client-cost-explorer', model: costExplorerModel, faults: FAULTS.ce,
    seed: (s) => s.costs.byTag,
    probe: { operation: 'GetCostAndUsage', input: { TimePeriod: { Start: '2026-11-01', End: '2026-11-19' }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'] } },
  },
  {
    name: 'sns', endpointVariable: 'AWS_ENDPOINT_URL_SNS', sdk: '@aws-sdk/client-sns', model: snsModel, faults: FAULTS.sns,
    seed: (s) => s.sns.topics,
    probe: { operation: 'Publish', input: { TopicArn: TOPIC_ARNS.info, Message: 'sandbox checklist' } },
  },
  {
    name: 'states', endpointVariable: 'AWS_ENDPOINT_URL_SFN', sdk: '@aws-sdk/client-sfn', model: sfnModel, faults: FAULTS.states,
    seed: (s) => s.stepFunctions.stateMachines,
    probe: { operation: 'StartExecution', input: { stateMachineArn: SEED_STATE_MACHINE, name: 'sandbox-checklist', input: '{}' } },
  },
  {
    name: 'cloudwatch', signingName: 'monitoring', endpointVariable: 'AWS_ENDPOINT_URL_CLOUDWATCH', sdk: '@aws-sdk/client-cloudwatch',
    model: cloudWatchModel, faults: FAULTS.cloudwatch,
    seed: (s) => s.cloudwatch.alarms,
    probe: { operation: 'DescribeAlarms', input: {} },
  },
  {
    name: 'events', endpointVariable: 'AWS_ENDPOINT_URL_EVENTBRIDGE', sdk: '@aws-sdk/client-eventbridge', model: eventsModel, faults: FAULTS.events,
    seed: (s) => s.events?.buses,
    probe: {
      operation: 'ListRuleNamesByTarget',
      input: { TargetArn: `arn:aws:lambda:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:function:${RESEARCHER_FUNCTION}` },
    },
  },
  {
    name: 's3', endpointVariable: 'AWS_ENDPOINT_URL_S3', sdk: '@aws-sdk/client-s3', model: s3Model, faults: FAULTS.s3,
    seed: (s) => s.s3?.buckets,
    probe: { operation: 'GetBucketNotificationConfiguration', input: { Bucket: AGENT_QUEUE_BUCKET } },
  },
  {
    name: 'secretsmanager', endpointVariable: 'AWS_ENDPOINT_URL_SECRETS_MANAGER', sdk: '@aws-sdk/client-secrets-manager',
    model: secretsManagerModel, faults: FAULTS.secretsmanager,
    seed: (s) => s.secretsManager?.secrets,
    probe: { operation: 'GetSecretValue', input: { SecretId: PROXY_SECRET } },
  },
  {
    name: 'sqs', endpointVariable: 'AWS_ENDPOINT_URL_SQS', sdk: '@aws-sdk/client-sqs', model: sqsModel, faults: FAULTS.sqs,
    seed: (s) => s.sqs?.queues, clientConfig: { useQueueUrlAsEndpoint: false },
    probe: { operation: 'GetQueueAttributes', input: { QueueUrl: TIMEOUT_QUEUE_URL, AttributeNames: ['VisibilityTimeout'] } },
  },
  {
    name: 'logs', endpointVariable: 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', sdk: '@aws-sdk/client-cloudwatch-logs', model: logsModel, faults: FAULTS.logs,
    seed: (s) => s.logs?.groups,
    probe: { operation: 'FilterLogEvents', input: { logGroupName: `/aws/lambda/${TIMEOUT_FUNCTION}`, filterPattern: '"Task timed out"' } },
  },
  {
    name: 'application-autoscaling', endpointVariable: 'AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING', sdk: '@aws-sdk/client-application-auto-scaling',
    model: applicationAutoScalingModel, faults: FAULTS['application-autoscaling'],
    seed: (s) => s.applicationAutoScaling?.scalableTargets,
    probe: {
      operation: 'RegisterScalableTarget',
      input: { ServiceNamespace: 'ecs', ResourceId: `service/${WORKER_CLUSTER}/${WORKER_SERVICE}`, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 2 },
    },
  },
  {
    name: 'rds', endpointVariable: 'AWS_ENDPOINT_URL_RDS', sdk: '@aws-sdk/client-rds', model: rdsModel, faults: FAULTS.rds,
    seed: (s) => s.rds?.instances,
    probe: { operation: 'DescribeDBInstances', input: { DBInstanceIdentifier: TRADAI_DB } },
  },
  {
    name: 'kms', endpointVariable: 'AWS_ENDPOINT_URL_KMS', sdk: '@aws-sdk/client-kms', model: kmsModel, faults: FAULTS.kms,
    seed: (s) => s.kms?.keys,
    probe: { operation: 'GetKeyPolicy', input: { KeyId: ARTIFACTS_KEY_ID, PolicyName: 'default' } },
  },
  {
    name: 'iam', endpointVariable: 'AWS_ENDPOINT_URL_IAM', sdk: '@aws-sdk/client-iam', model: iamModel, faults: FAULTS.iam,
    seed: (s) => s.iam?.roles,
    probe: {
      operation: 'SimulatePrincipalPolicy',
      input: { PolicySourceArn: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/${ENGINEER_ROLE}`, ActionNames: ['s3:GetObject'], ResourceArns: [`arn:aws:s3:::${ARTIFACTS_BUCKET}/outputs/x`] },
    },
  },
  {
    name: 'cloudtrail', endpointVariable: 'AWS_ENDPOINT_URL_CLOUDTRAIL', sdk: '@aws-sdk/client-cloudtrail', model: cloudTrailModel, faults: FAULTS.cloudtrail,
    seed: (s) => s.cloudtrail?.events,
    probe: { operation: 'LookupEvents', input: { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: CI_DEPLOYER_KEY }], MaxResults: 50 } },
  },
  {
    name: 'ec2', endpointVariable: 'AWS_ENDPOINT_URL_EC2', sdk: '@aws-sdk/client-ec2', model: ec2Model, faults: FAULTS.ec2,
    seed: (s) => s.ec2?.instances,
    probe: { operation: 'DescribeInstanceStatus', input: { InstanceIds: [NAT_INSTANCE], IncludeAllInstances: true } },
  },
  {
    name: 'bedrock-agentcore', endpointVariable: 'AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL', sdk: '@aws-sdk/client-bedrock-agentcore-control',
    model: agentcoreModel, faults: FAULTS['bedrock-agentcore'],
    seed: (s) => s.agentcore?.gateways,
    probe: { operation: 'GetGateway', input: { gatewayIdentifier: AGENTCORE_GATEWAY_ID } },
  },
  {
    name: 'scheduler', endpointVariable: 'AWS_ENDPOINT_URL_SCHEDULER', sdk: '@aws-sdk/client-scheduler', model: schedulerModel, faults: FAULTS.scheduler,
    seed: (s) => s.scheduler?.schedules ?? {},
    probe: {
      operation: 'CreateSchedule',
      input: {
        Name: 'sandbox-checklist', ScheduleExpression: 'at(2030-01-01T00:00:00)', FlexibleTimeWindow: { Mode: 'OFF' }, ActionAfterCompletion: 'DELETE',
        Target: { Arn: SEED_STATE_MACHINE, RoleArn: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/sandbox-checklist-scheduler`, Input: '{}' },
      },
    },
  },
] as const satisfies readonly ServiceEntry[];

/** Service identifiers: the IAM action prefixes, so a call reads like the permission it needs. */
export type ServiceName = (typeof SERVICE_REGISTRY)[number]['name'];
export type RegisteredService = ServiceEntry & { readonly name: ServiceName };
export const SERVICES: readonly ServiceName[] = SERVICE_REGISTRY.map((entry) => entry.name);

export function serviceEntry(name: string): RegisteredService | undefined {
  return SERVICE_REGISTRY.find((entry) => entry.name === name);
}

/** The service a request signed for this SigV4 signing name is for. */
export function bySigningName(signingName: string): RegisteredService | undefined {
  return SERVICE_REGISTRY.find((entry: ServiceEntry) => (entry.signingName ?? entry.name) === signingName);
}
