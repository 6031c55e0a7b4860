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

export function seedCredentials(state: AccountState, now: Date): void {
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
