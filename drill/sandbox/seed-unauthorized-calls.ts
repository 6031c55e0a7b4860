import type { AccountState, LogEventState } from './state';
import { minutesBefore } from './common';

/**
 * Seed 004 "Unauthorized Access": the account's CloudTrail trail delivers to a CloudWatch Logs log
 * group, and the CIS-style metric filter on it counts denied calls (errorCode "*UnauthorizedOperation"
 * or "AccessDenied*"); its alarm is in ALARM. The records, at the times of the alarm's recorded event
 * (its sample in events/samples/): a session assumed with the leaked CI
 * key probing EC2, IAM, Secrets Manager and S3 from one address, the CI user refused a new key, and
 * around them what must not count: an allowed call, a throttled one, a denied one before the alarm's
 * window. Each record is whole, as CloudTrail writes it: request parameters and the session's access
 * key id included, which no page, ledger row or drill output may hold.
 */
export const CLOUDTRAIL_LOG_GROUP = 'aws-cloudtrail-logs-111122223333-management';
export const UNAUTHORIZED_ALARM = 'alphaswarm-prod-unauthorized-api-calls';
/** The CIS benchmark's metric filter (CloudWatch.2): what the alarm counts. */
export const UNAUTHORIZED_PATTERN = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }';
/** The intruder's session credentials, as each record names them: never in a page. */
export const INTRUDER_SESSION_KEY = 'ASIAZDRILLINTRUDER7Q';
export const INTRUDER_SECRET_ID = 'alphaswarm/prod/exchange-api-key';
const INTRUDER_ARN = 'arn:aws:sts::111122223333:assumed-role/alphaswarm-deploy/intruder';
const CI_USER_ARN = 'arn:aws:iam::111122223333:user/alphaswarm-ci-deployer';

type Call = { at: string; source: string; name: string; error?: string; parameters?: Record<string, unknown>; who?: 'intruder' | 'ci' | 'pipeline'; ip?: string };

function record(account: string, region: string, c: Call, i: number): string {
  const who = c.who ?? 'intruder';
  const userIdentity = who === 'intruder'
    ? {
      type: 'AssumedRole', principalId: 'AROAJEXAMPLEDEPLOY01:intruder', arn: INTRUDER_ARN, accountId: account, accessKeyId: INTRUDER_SESSION_KEY,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAJEXAMPLEDEPLOY01', arn: `arn:aws:iam::${account}:role/alphaswarm-deploy`, accountId: account, userName: 'alphaswarm-deploy' },
        attributes: { creationDate: '2026-12-06T03:55:02Z', mfaAuthenticated: 'false' },
      },
    }
    : who === 'ci'
      ? { type: 'IAMUser', principalId: 'AIDAJQABLZS4A3QDU576Q', arn: CI_USER_ARN, accountId: account, accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'alphaswarm-ci-deployer' }
      : { type: 'AssumedRole', principalId: 'AROAJEXAMPLEPIPE0001:ci', arn: `arn:aws:sts::${account}:assumed-role/alphaswarm-pipeline/ci`, accountId: account, accessKeyId: 'ASIAZDRILLPIPELINE01' };
  return JSON.stringify({
    eventVersion: '1.10', userIdentity, eventTime: c.at, eventSource: c.source, eventName: c.name, awsRegion: region,
    sourceIPAddress: c.ip ?? (who === 'pipeline' ? '203.0.113.10' : '198.51.100.23'), userAgent: 'aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.1 os/linux#6.8.0',
    ...(c.error ? { errorCode: c.error, errorMessage: `You are not authorized to perform this operation. User: ${userIdentity.arn} is not authorized to perform: ${c.source.split('.')[0]}:${c.name}` } : {}),
    requestParameters: c.parameters ?? null, responseElements: null,
    requestID: `7e1d3c2b-5a4f-4e6d-9c8b-${String(i).padStart(12, '0')}`, eventID: `b2c3d4e5-f6a7-4b8c-9d0e-${String(i).padStart(12, '0')}`,
    readOnly: true, eventType: 'AwsApiCall', managementEvent: true, recipientAccountId: account, eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${c.source.split('.')[0]}.${region}.amazonaws.com` },
  });
}

export function seedUnauthorizedCalls(state: AccountState, now: Date): void {
  const calls: Call[] = [
    // Before the alarm's window: counted by an earlier evaluation, not this one.
    { at: '2026-12-06T03:41:07Z', source: 'ec2.amazonaws.com', name: 'DescribeInstances', error: 'Client.UnauthorizedOperation', parameters: { instancesSet: {}, filterSet: {} } },
    { at: '2026-12-06T04:10:12Z', source: 'ec2.amazonaws.com', name: 'DescribeInstances', error: 'Client.UnauthorizedOperation', parameters: { instancesSet: {}, filterSet: {} } },
    { at: '2026-12-06T04:10:48Z', source: 'ec2.amazonaws.com', name: 'DescribeSecurityGroups', error: 'Client.UnauthorizedOperation', parameters: { securityGroupSet: {} } },
    { at: '2026-12-06T04:11:30Z', source: 'iam.amazonaws.com', name: 'ListUsers', error: 'AccessDenied' },
    // Allowed: not a denied call.
    { at: '2026-12-06T04:11:55Z', source: 'sts.amazonaws.com', name: 'GetCallerIdentity' },
    { at: '2026-12-06T04:12:20Z', source: 'secretsmanager.amazonaws.com', name: 'GetSecretValue', error: 'AccessDenied', parameters: { secretId: INTRUDER_SECRET_ID } },
    { at: '2026-12-06T04:12:41Z', source: 'secretsmanager.amazonaws.com', name: 'GetSecretValue', error: 'AccessDenied', parameters: { secretId: INTRUDER_SECRET_ID, versionStage: 'AWSPREVIOUS' } },
    { at: '2026-12-06T04:13:05Z', source: 'ec2.amazonaws.com', name: 'DescribeInstances', error: 'Client.UnauthorizedOperation', parameters: { instancesSet: {}, filterSet: {} } },
    { at: '2026-12-06T04:13:40Z', source: 's3.amazonaws.com', name: 'GetBucketPolicy', error: 'AccessDenied', parameters: { bucketName: 'alphaswarm-prod-terraform-state', policy: '' } },
    // Throttled, not denied.
    { at: '2026-12-06T04:13:52Z', source: 'ecs.amazonaws.com', name: 'DescribeServices', error: 'ThrottlingException', who: 'pipeline' },
    { at: '2026-12-06T04:14:18Z', source: 'iam.amazonaws.com', name: 'CreateAccessKey', error: 'AccessDenied', who: 'ci', ip: '198.51.100.23', parameters: { userName: 'alphaswarm-admin' } },
  ];
  const stream = `${state.accountId}_CloudTrail_${state.region}`;
  const events: LogEventState[] = calls.map((c, i) => ({ logStreamName: stream, timestamp: c.at, message: record(state.accountId, state.region, c, i) }));
  const logs = (state.logs ??= { groups: {} });
  logs.groups[CLOUDTRAIL_LOG_GROUP] = [...(logs.groups[CLOUDTRAIL_LOG_GROUP] ?? []), ...events];
  state.cloudwatch.alarms[UNAUTHORIZED_ALARM] = {
    description: 'Seed 004 "Unauthorized Access" (Critical): API calls CloudTrail records as denied (CIS CloudWatch.2 metric filter on the trail\'s log group).',
    namespace: 'CloudTrailMetrics', metricName: 'UnauthorizedAttemptCount', dimensions: {}, statistic: 'Sum',
    period: 300, evaluationPeriods: 1, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold', treatMissingData: 'notBreaching',
    stateValue: 'ALARM', stateUpdatedAt: minutesBefore(now, 5), alarmActions: [], okActions: [],
    stateReason: 'Threshold Crossed: 1 datapoint [8.0] was greater than or equal to the threshold (1.0).',
    tags: { Project: 'alphaswarm', Environment: 'prod' },
  };
}
