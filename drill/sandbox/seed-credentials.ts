import type { AccountState, TrailEventState } from './state';
import { minutesBefore } from './common';

/**
 * The CI deployer's IAM user (seed 004's exposed credentials): its active access key, an older one
 * already inactive (a user has at most two), and the management events CloudTrail recorded for the
 * active key in the last hours: what a runbook that deactivates the key lists. The
 * key ids are AWS's documented examples; no secret is kept anywhere.
 */
export const CI_DEPLOYER_USER = 'alphaswarm-ci-deployer';
export const CI_DEPLOYER_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const CI_DEPLOYER_OLD_KEY = 'AKIAI44QH8DHBEXAMPLE';
/**
 * The session token of the role the intruder assumed with the key, as CloudTrail records
 * AssumeRole's answer: a credential, which no ledger row, notification or drill output may hold.
 */
export const ASSUMED_SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLEtokenSEEDEDinTHEsandboxONLYdoNOTprintME0123456789';

/**
 * Seed 000 "Rotate Cloudflare origin secret": the CloudFront origin secret, a SecureString at its
 * fourth version, encrypted with the platform's own key. Its value is the one suspected leaked: no
 * ledger row, notification or drill output may hold it, nor the value a rotation writes.
 */
export const ORIGIN_SECRET_PARAMETER = '/alphaswarm/prod/cloudfront_origin_secret';
export const ORIGIN_SECRET_VERSION = 4;
export const ORIGIN_SECRET_LEAKED_VALUE = '5eeded0ri9in5ecretDoNotPrint0f3b9c2a41d7e6085f1a2b3c4d5e6f708192';
export const ORIGIN_SECRET_KEY = 'arn:aws:kms:sa-east-1:111122223333:key/0f1e2d3c-4b5a-4697-8899-aabbccddeeff';

export function seedCredentials(state: AccountState, now: Date): void {
  state.ssm.parameters[ORIGIN_SECRET_PARAMETER] = {
    type: 'SecureString', value: ORIGIN_SECRET_LEAKED_VALUE, version: ORIGIN_SECRET_VERSION, keyId: ORIGIN_SECRET_KEY, lastModified: minutesBefore(now, 60 * 24 * 40),
    history: [1, 2, 3].map((version) => ({ version, value: `retired-origin-secret-v${version}`, lastModified: minutesBefore(now, 60 * 24 * (400 - version * 100)) })),
  };
  const iam = (state.iam ??= { roles: {} });
  (iam.users ??= {})[CI_DEPLOYER_USER] = {
    arn: `arn:aws:iam::${state.accountId}:user/${CI_DEPLOYER_USER}`,
    userId: 'AIDAJQABLZS4A3QDU576Q',
    accessKeys: {
      [CI_DEPLOYER_KEY]: { status: 'Active', createDate: '2026-03-02T10:15:00Z' },
      [CI_DEPLOYER_OLD_KEY]: { status: 'Inactive', createDate: '2025-03-01T09:00:00Z' },
    },
  };
  const call = (minutes: number, eventSource: string, eventName: string, sourceIPAddress: string, readOnly: boolean, errorCode?: string): TrailEventState => ({
    eventId: `6f1e2d3c-4b5a-4c6d-8e7f-${String(minutes).padStart(12, '0')}`, eventName, eventSource, eventTime: minutesBefore(now, minutes),
    accessKeyId: CI_DEPLOYER_KEY, userName: CI_DEPLOYER_USER, readOnly, sourceIPAddress, ...(errorCode ? { errorCode } : {}),
  });
  const assumeRole: TrailEventState = {
    ...call(20, 'sts.amazonaws.com', 'AssumeRole', '198.51.100.23', false),
    responseElements: {
      credentials: { accessKeyId: 'ASIAJEXAMPLEXEG2JICEA', sessionToken: ASSUMED_SESSION_TOKEN, expiration: minutesBefore(now, -40) },
      assumedRoleUser: { assumedRoleId: 'AROAJEXAMPLE:intruder', arn: `arn:aws:sts::${state.accountId}:assumed-role/alphaswarm-deploy/intruder` },
    },
  };
  (state.cloudtrail ??= { events: [] }).events.push(
    // The pipeline's own use, from its runner, yesterday.
    call(26 * 60, 'ecs.amazonaws.com', 'UpdateService', '203.0.113.10', false),
    call(26 * 60 + 2, 'ecr.amazonaws.com', 'GetAuthorizationToken', '203.0.113.10', true),
    // Then someone else, from another network: discovery, then a refused attempt to mint a key.
    call(35, 'sts.amazonaws.com', 'GetCallerIdentity', '198.51.100.23', true),
    call(30, 's3.amazonaws.com', 'ListBuckets', '198.51.100.23', true),
    call(25, 'iam.amazonaws.com', 'CreateAccessKey', '198.51.100.23', false, 'AccessDenied'),
    // And a role assumed with it: CloudTrail records the session's credentials.
    assumeRole,
  );
}
