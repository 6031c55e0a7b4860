/**
 * Every AWS SDK client module the functions load at first use (lazy-sdk.ts), one loader each, shared
 * by every client of that service in a function. Each is marked pure: a bundle keeps only the
 * loaders its code calls, so a function never lists a module it cannot load.
 */
import { loadOnce } from './lazy-sdk';

export const autoScalingSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-application-auto-scaling'));
export const agentCoreSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-bedrock-agentcore-control'));
export const cloudTrailSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-cloudtrail'));
export const cloudWatchSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-cloudwatch'));
export const logsSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-cloudwatch-logs'));
export const dynamoDbSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-dynamodb'));
export const ec2Sdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-ec2'));
export const ecsSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-ecs'));
export const eventBridgeSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-eventbridge'));
export const iamSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-iam'));
export const kmsSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-kms'));
export const lambdaSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-lambda'));
export const rdsSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-rds'));
export const s3Sdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-s3'));
export const schedulerSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-scheduler'));
export const secretsManagerSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-secrets-manager'));
export const sfnSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-sfn'));
export const snsSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-sns'));
export const sqsSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-sqs'));
export const ssmSdk = /* @__PURE__ */ loadOnce(() => import('@aws-sdk/client-ssm'));
