import { AwsError } from './aws-error';
import { Fields, type Input } from './input';
import type { DecodedCall, Output, ServiceContext, ServiceModel, WireRequest, WireResponse } from './model';
import type { AccountState } from './state';
import { xmlEscape } from './wire';

/**
 * S3 (REST-XML, path-style addressing as the SDK uses for an IP endpoint): only
 * GetBucketNotificationConfiguration, the read seed 003 §4 names. Answers with S3's XML shapes
 * (CloudFunctionConfiguration, S3Key/FilterRule) and S3's error document (NoSuchBucket 404,
 * AccessDenied 403 when ExpectedBucketOwner is not the owner, SlowDown 503, InternalError 500).
 */

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const noSuchBucket = (bucket: string) => new AwsError('NoSuchBucket', 404, 'The specified bucket does not exist', { fields: { BucketName: bucket } });

function bucketOf(state: AccountState, input: Input) {
  const fields = new Fields(input);
  const name = fields.string('Bucket');
  const bucket = state.s3?.buckets[name];
  if (bucket === undefined) throw noSuchBucket(name);
  const expected = fields.optString('ExpectedBucketOwner');
  if (expected !== undefined && expected !== bucket.owner) throw new AwsError('AccessDenied', 403, 'Access Denied');
  return bucket;
}

function getNotification(input: Input, { state }: ServiceContext): Output {
  const bucket = bucketOf(state, input);
  return {
    CloudFunctionConfiguration: bucket.lambdaNotifications.map((n) => ({
      Id: n.id,
      CloudFunction: n.functionArn,
      Event: n.events,
      ...(n.prefix === undefined && n.suffix === undefined
        ? {}
        : {
          Filter: {
            S3Key: {
              FilterRule: [
                ...(n.prefix === undefined ? [] : [{ Name: 'prefix', Value: n.prefix }]),
                ...(n.suffix === undefined ? [] : [{ Name: 'suffix', Value: n.suffix }]),
              ],
            },
          },
        }),
    })),
  };
}

/** XML with S3's flattened lists: a repeated element per member, no wrapper. */
function xml(value: unknown, name: string): string {
  if (Array.isArray(value)) return value.map((v) => xml(v, name)).join('');
  if (value !== null && typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>).map(([k, v]) => xml(v, k)).join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

const ROOT: Readonly<Record<string, string>> = { GetBucketNotificationConfiguration: 'NotificationConfiguration' };

function decode(req: WireRequest): DecodedCall {
  const segments = req.path.split('/').filter(Boolean);
  if (req.method === 'GET' && segments.length === 1 && req.query.has('notification')) {
    const owner = req.headers['x-amz-expected-bucket-owner'];
    return {
      operation: 'GetBucketNotificationConfiguration',
      input: { Bucket: decodeURIComponent(segments[0]!), ...(typeof owner === 'string' ? { ExpectedBucketOwner: owner } : {}) },
      status: 200,
    };
  }
  throw new AwsError('NotImplemented', 501, 'A header you provided implies functionality that is not implemented');
}

function encodeOutput(operation: string, output: Output | undefined, status: number, requestId: string): WireResponse {
  const root = ROOT[operation] ?? operation;
  const inner = Object.entries(output ?? {}).map(([k, v]) => xml(v, k)).join('');
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${inner}</${root}>`,
  };
}

function encodeError(error: AwsError, requestId: string): WireResponse {
  const extra = Object.entries(error.fields).map(([k, v]) => xml(v, k)).join('');
  return {
    status: error.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId, ...error.headers },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message>${extra}<RequestId>${requestId}</RequestId><HostId>sandbox</HostId></Error>`,
  };
}

export const s3Model: ServiceModel = {
  protocol: 'restXml',
  operations: { GetBucketNotificationConfiguration: { mutating: false, run: getNotification } },
  codec: { decode, encodeOutput, encodeError },
};
