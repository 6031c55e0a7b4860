import { AwsError } from './aws-error';
import { epochSeconds } from './common';
import { isRecord, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import type { TrailEventState } from './state';

/**
 * CloudTrail (JSON 1.1): LookupEvents over the account's management events, newest first, with
 * AWS's constraints: at most one lookup attribute, of its eight keys; MaxResults 1 to 50 (50 by
 * default); a start after the end refused; NextToken pages. Each event carries its record as
 * CloudTrail writes it (CloudTrailEvent, JSON text).
 */

const ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

const invalidAttributes = (message: string) => new AwsError('InvalidLookupAttributesException', 400, message);

/** The one lookup attribute, if any, as AWS validates it. */
function lookupAttribute(value: unknown): { key: AttributeKey; value: string } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidAttributes('LookupAttributes must be a list');
  if (value.length === 0) return undefined;
  if (value.length > 1) throw invalidAttributes('You can only specify one lookup attribute.');
  const attribute: unknown = value[0];
  if (!isRecord(attribute) || typeof attribute.AttributeKey !== 'string' || typeof attribute.AttributeValue !== 'string') {
    throw invalidAttributes('A lookup attribute needs an AttributeKey and an AttributeValue.');
  }
  if (!(ATTRIBUTE_KEYS as readonly string[]).includes(attribute.AttributeKey)) {
    throw invalidAttributes(`Invalid attribute key: ${attribute.AttributeKey}. Valid keys are ${ATTRIBUTE_KEYS.join(', ')}.`);
  }
  if (attribute.AttributeValue.length < 1 || attribute.AttributeValue.length > 2000) throw invalidAttributes('AttributeValue must be 1 to 2000 characters.');
  return { key: attribute.AttributeKey as AttributeKey, value: attribute.AttributeValue };
}

function matches(e: TrailEventState, attribute: { key: AttributeKey; value: string } | undefined): boolean {
  if (!attribute) return true;
  switch (attribute.key) {
    case 'EventId': return e.eventId === attribute.value;
    case 'EventName': return e.eventName === attribute.value;
    case 'ReadOnly': return String(e.readOnly) === attribute.value;
    case 'Username': return e.userName === attribute.value;
    case 'EventSource': return e.eventSource === attribute.value;
    case 'AccessKeyId': return e.accessKeyId === attribute.value;
    case 'ResourceType':
    case 'ResourceName': return false;
  }
}

/** The record as CloudTrail writes it (the fields a lookup returns in CloudTrailEvent). */
function record(e: TrailEventState, account: string, region: string): string {
  return JSON.stringify({
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAJQABLZS4A3QDU576Q', arn: `arn:aws:iam::${account}:user/${e.userName}`, accountId: account, accessKeyId: e.accessKeyId, userName: e.userName },
    eventTime: e.eventTime, eventSource: e.eventSource, eventName: e.eventName, awsRegion: region,
    sourceIPAddress: e.sourceIPAddress, userAgent: 'aws-cli/2.15.0', ...(e.errorCode ? { errorCode: e.errorCode } : {}),
    requestParameters: null, responseElements: e.responseElements ?? null, eventID: e.eventId, readOnly: e.readOnly, eventType: 'AwsApiCall',
    managementEvent: true, recipientAccountId: account, eventCategory: 'Management',
  });
}

const time = (input: Input, name: string): number | undefined => {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(n)) throw new AwsError('InvalidTimeRangeException', 400, `${name} is not a valid time.`);
  return n;
};

function lookupEvents(input: Input, { state }: ServiceContext): Output {
  const attribute = lookupAttribute(input.LookupAttributes);
  const max = input.MaxResults === undefined || input.MaxResults === null ? 50 : input.MaxResults;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 50) {
    throw new AwsError('InvalidMaxResultsException', 400, `Value ${String(max)} for MaxResults is invalid: it must be between 1 and 50.`);
  }
  const start = time(input, 'StartTime');
  const end = time(input, 'EndTime');
  if (start !== undefined && end !== undefined && start > end) throw new AwsError('InvalidTimeRangeException', 400, 'Start time must be before end time.');
  const token = input.NextToken;
  let offset = 0;
  if (token !== undefined && token !== null) {
    offset = typeof token === 'string' && /^page-\d+$/.test(token) ? Number(token.slice(5)) : -1;
    if (offset < 0) throw new AwsError('InvalidNextTokenException', 400, 'Invalid NextToken.');
  }
  const found = (state.cloudtrail?.events ?? [])
    .filter((e) => matches(e, attribute))
    .filter((e) => (start === undefined || Date.parse(e.eventTime) >= start) && (end === undefined || Date.parse(e.eventTime) <= end))
    .sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
  const page = found.slice(offset, offset + max);
  return {
    Events: page.map((e) => ({
      EventId: e.eventId, EventName: e.eventName, ReadOnly: String(e.readOnly), AccessKeyId: e.accessKeyId,
      EventTime: epochSeconds(e.eventTime), EventSource: e.eventSource, Username: e.userName, Resources: [],
      CloudTrailEvent: record(e, state.accountId, state.region),
    })),
    ...(offset + max < found.length ? { NextToken: `page-${offset + max}` } : {}),
  };
}

export const cloudTrailModel: ServiceModel = {
  protocol: 'awsJson1_1',
  target: 'CloudTrail_20131101',
  operations: {
    LookupEvents: { mutating: false, run: lookupEvents },
  },
};
