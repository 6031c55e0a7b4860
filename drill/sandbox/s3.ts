import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AwsError } from './aws-error';
import { Fields, type Input } from './input';
import type { DecodedCall, Output, ServiceContext, ServiceModel, WireRequest, WireResponse } from './model';
import type { AccountState, S3BucketState, S3ObjectVersionState } from './state';
import { xmlEscape } from './wire';

/**
 * S3 (REST-XML, path-style addressing as the SDK uses for an IP endpoint): the reads seed 003 §4
 * names (GetBucketNotificationConfiguration), the reads seed 003 §3 names (GetBucketPolicy, answered
 * as the document it was put with, NoSuchBucketPolicy 404 when none; GetPublicAccessBlock,
 * NoSuchPublicAccessBlockConfiguration 404 when none; GetBucketEncryption, SSE-S3 unless SSE-KMS
 * was set; GetBucketVersioning, no Status when never enabled), and PutObject, with which the report writers put each
 * incident's report. Answers with S3's XML shapes and S3's error document (NoSuchBucket 404,
 * AccessDenied 403 when ExpectedBucketOwner is not the owner, SlowDown 503, InternalError 500).
 *
 * PutObject follows S3's rules: a key of 1 to 1,024 bytes (KeyTooLongError), user metadata of at
 * most 2 KB (MetadataTooLarge), the body checked against Content-MD5 (InvalidDigest, BadDigest), a
 * CRC32 checksum (BadDigest) and the signed payload hash (XAmzContentSHA256Mismatch); conditional
 * writes (If-None-Match: * and If-Match: <etag>, PreconditionFailed 412; If-Match on no object,
 * NoSuchKey 404; If-None-Match other than *, NotImplemented 501); a new version per write in a
 * versioned bucket, the one "null" version overwritten otherwise; the bucket's default encryption
 * (SSE-KMS with its key, or SSE-S3) unless the request names one. Answers ETag, VersionId and the
 * encryption headers.
 */

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const MAX_KEY_BYTES = 1024;
const MAX_METADATA_BYTES = 2048;

const noSuchBucket = (bucket: string) => new AwsError('NoSuchBucket', 404, 'The specified bucket does not exist', { fields: { BucketName: bucket } });
const preconditionFailed = (condition: string) => new AwsError('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { fields: { Condition: condition } });

function bucketOf(state: AccountState, input: Input): S3BucketState {
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

/** The bucket policy as it was put: S3 answers the document itself as the body. */
function getBucketPolicy(input: Input, { state }: ServiceContext): Output {
  const bucket = bucketOf(state, input);
  if (bucket.policy === undefined) {
    throw new AwsError('NoSuchBucketPolicy', 404, 'The bucket policy does not exist', { fields: { BucketName: new Fields(input).string('Bucket') } });
  }
  return { Policy: bucket.policy };
}

function getPublicAccessBlock(input: Input, { state }: ServiceContext): Output {
  const bucket = bucketOf(state, input);
  const b = bucket.publicAccessBlock;
  if (b === undefined) {
    throw new AwsError('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found', { fields: { BucketName: new Fields(input).string('Bucket') } });
  }
  return { BlockPublicAcls: b.blockPublicAcls, IgnorePublicAcls: b.ignorePublicAcls, BlockPublicPolicy: b.blockPublicPolicy, RestrictPublicBuckets: b.restrictPublicBuckets };
}

/** Every bucket has a default encryption since January 2023: SSE-S3 unless SSE-KMS was set. */
function getBucketEncryption(input: Input, { state }: ServiceContext): Output {
  const bucket = bucketOf(state, input);
  const e = bucket.encryption;
  return {
    Rule: [e === undefined
      ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }
      : { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: e.kmsKeyArn }, BucketKeyEnabled: e.bucketKeyEnabled }],
  };
}

/** A bucket whose versioning was never enabled answers an empty configuration (no Status). */
function getBucketVersioning(input: Input, { state }: ServiceContext): Output {
  const bucket = bucketOf(state, input);
  return bucket.versioning === undefined ? {} : { Status: bucket.versioning };
}

/** The current version of a key: the newest (S3 answers as if there were none when it is a delete marker; the sandbox makes none). */
export const currentVersion = (bucket: S3BucketState, key: string): S3ObjectVersionState | undefined => bucket.objects?.[key]?.at(-1);

/** The body's digests as S3 checks them (base64, as the headers carry them; hex for the payload hash). */
function digests(body: Buffer) {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return {
    md5: createHash('md5').update(body).digest('base64'),
    md5Hex: createHash('md5').update(body).digest('hex'),
    sha256Hex: createHash('sha256').update(body).digest('hex'),
    crc32: crc.toString('base64'),
  };
}

function checkBody(fields: Fields, body: Buffer): ReturnType<typeof digests> {
  const d = digests(body);
  const md5 = fields.optString('ContentMD5');
  if (md5 !== undefined) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5)) throw new AwsError('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.', { fields: { 'Content-MD5': md5 } });
    if (md5 !== d.md5) throw new AwsError('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.', { fields: { ExpectedDigest: md5, CalculatedDigest: d.md5 } });
  }
  const algorithm = fields.optString('ChecksumAlgorithm');
  const crc = fields.optString('ChecksumCRC32');
  if (algorithm !== undefined && algorithm !== 'CRC32' && crc === undefined) {
    throw new AwsError('InvalidRequest', 400, `The sandbox checks CRC32 checksums only; ${algorithm} was named`);
  }
  if (crc !== undefined && crc !== d.crc32) throw new AwsError('BadDigest', 400, 'The CRC32 you specified did not match the calculated checksum.');
  const payload = fields.optString('ContentSHA256');
  if (payload !== undefined && /^[0-9a-f]{64}$/.test(payload) && payload !== d.sha256Hex) {
    throw new AwsError('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed.", {
      fields: { ClientComputedContentSHA256: payload, S3ComputedContentSHA256: d.sha256Hex },
    });
  }
  return d;
}

function putObject(input: Input, ctx: ServiceContext): Output {
  const fields = new Fields(input);
  const bucket = bucketOf(ctx.state, input);
  const key = fields.string('Key');
  if (key.length === 0) throw new AwsError('InvalidArgument', 400, 'An object key must be at least one character long');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new AwsError('KeyTooLongError', 400, 'Your key is too long', { fields: { Size: Buffer.byteLength(key), MaxSizeAllowed: MAX_KEY_BYTES } });
  const metadata = (input.Metadata ?? {}) as Record<string, string>;
  const metadataBytes = Object.entries(metadata).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (metadataBytes > MAX_METADATA_BYTES) throw new AwsError('MetadataTooLarge', 400, 'Your metadata headers exceed the maximum allowed metadata size.', { fields: { Size: metadataBytes, MaxSizeAllowed: MAX_METADATA_BYTES } });
  const body = Buffer.from(fields.optString('Body') ?? '', 'utf8');
  const d = checkBody(fields, body);

  const current = currentVersion(bucket, key);
  const ifNoneMatch = fields.optString('IfNoneMatch');
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch !== '*') throw new AwsError('NotImplemented', 501, 'A header you provided implies functionality that is not implemented', { fields: { Header: 'If-None-Match' } });
    if (current) throw preconditionFailed('If-None-Match');
  }
  const ifMatch = fields.optString('IfMatch');
  if (ifMatch !== undefined) {
    if (!current) throw new AwsError('NoSuchKey', 404, 'The specified key does not exist.', { fields: { Key: key } });
    if (ifMatch !== current.etag && ifMatch !== '*') throw preconditionFailed('If-Match');
  }

  const requested = fields.optString('ServerSideEncryption');
  if (requested !== undefined && requested !== 'AES256' && requested !== 'aws:kms') {
    throw new AwsError('InvalidArgument', 400, 'The encryption method specified is not supported', { fields: { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: requested } });
  }
  const sse: 'AES256' | 'aws:kms' = requested ?? (bucket.encryption ? 'aws:kms' : 'AES256');
  const kmsKeyId = sse === 'aws:kms' ? fields.optString('SSEKMSKeyId') ?? bucket.encryption?.kmsKeyArn : undefined;
  if (sse === 'aws:kms' && kmsKeyId === undefined) throw new AwsError('InvalidArgument', 400, 'Server Side Encryption with AWS KMS managed key requires a key; the bucket has no default key');
  const version: S3ObjectVersionState = {
    versionId: bucket.versioning === 'Enabled' ? ctx.id('s3-version') : 'null',
    body: body.toString('utf8'),
    etag: `"${d.md5Hex}"`,
    contentType: fields.optString('ContentType') ?? 'binary/octet-stream',
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v])),
    lastModified: ctx.now().toISOString(),
    serverSideEncryption: sse,
    ...(kmsKeyId ? { kmsKeyId } : {}),
    ...(fields.optString('ChecksumCRC32') ? { checksumCrc32: d.crc32 } : {}),
  };
  const objects = (bucket.objects ??= {});
  // Without versioning, S3 keeps one ("null") version of a key: a write replaces it.
  objects[key] = bucket.versioning === 'Enabled' ? [...(objects[key] ?? []), version] : [version];
  return {
    ETag: version.etag,
    ...(bucket.versioning === 'Enabled' ? { VersionId: version.versionId } : {}),
    ServerSideEncryption: sse,
    ...(kmsKeyId ? { SSEKMSKeyId: kmsKeyId } : {}),
    ...(sse === 'aws:kms' && bucket.encryption?.bucketKeyEnabled ? { BucketKeyEnabled: 'true' } : {}),
    ...(version.checksumCrc32 ? { ChecksumCRC32: version.checksumCrc32 } : {}),
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

const ROOT: Readonly<Record<string, string>> = {
  GetBucketNotificationConfiguration: 'NotificationConfiguration', GetPublicAccessBlock: 'PublicAccessBlockConfiguration',
  GetBucketEncryption: 'ServerSideEncryptionConfiguration', GetBucketVersioning: 'VersioningConfiguration',
};

/** The bucket subresource (?policy, ?versioning, ...) each GET reads. */
const BUCKET_READS: Readonly<Record<string, string>> = {
  notification: 'GetBucketNotificationConfiguration', policy: 'GetBucketPolicy', publicAccessBlock: 'GetPublicAccessBlock',
  encryption: 'GetBucketEncryption', versioning: 'GetBucketVersioning',
};

/** The request headers PutObject reads, by the member each is. */
const PUT_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'ContentType', 'content-md5': 'ContentMD5', 'x-amz-sdk-checksum-algorithm': 'ChecksumAlgorithm', 'x-amz-checksum-crc32': 'ChecksumCRC32',
  'x-amz-content-sha256': 'ContentSHA256', 'if-none-match': 'IfNoneMatch', 'if-match': 'IfMatch', 'x-amz-server-side-encryption': 'ServerSideEncryption',
  'x-amz-server-side-encryption-aws-kms-key-id': 'SSEKMSKeyId', 'x-amz-expected-bucket-owner': 'ExpectedBucketOwner',
};
/** PutObject's answer, as headers (its body is empty). */
const PUT_ANSWER: Readonly<Record<string, string>> = {
  ETag: 'etag', VersionId: 'x-amz-version-id', ServerSideEncryption: 'x-amz-server-side-encryption', SSEKMSKeyId: 'x-amz-server-side-encryption-aws-kms-key-id',
  BucketKeyEnabled: 'x-amz-server-side-encryption-bucket-key-enabled', ChecksumCRC32: 'x-amz-checksum-crc32',
};

function decode(req: WireRequest): DecodedCall {
  const segments = req.path.split('/').filter(Boolean);
  const header = (name: string) => (typeof req.headers[name] === 'string' ? req.headers[name] : undefined);
  const read = Object.entries(BUCKET_READS).find(([subresource]) => req.query.has(subresource))?.[1];
  if (req.method === 'GET' && segments.length === 1 && read !== undefined) {
    const owner = header('x-amz-expected-bucket-owner');
    return {
      operation: read,
      input: { Bucket: decodeURIComponent(segments[0]!), ...(owner !== undefined ? { ExpectedBucketOwner: owner } : {}) },
      status: 200,
    };
  }
  if (req.method === 'PUT' && segments.length >= 2 && [...req.query.keys()].every((k) => k === 'x-id')) {
    if (header('content-encoding')?.includes('aws-chunked')) throw new AwsError('NotImplemented', 501, 'The sandbox takes PutObject bodies whole, not aws-chunked');
    const members = Object.fromEntries(Object.entries(PUT_HEADERS).flatMap(([h, member]) => (header(h) !== undefined ? [[member, header(h)]] : [])));
    const metadata = Object.fromEntries(Object.keys(req.headers).filter((h) => h.startsWith('x-amz-meta-')).map((h) => [h.slice('x-amz-meta-'.length), header(h) ?? '']));
    return {
      operation: 'PutObject',
      input: { Bucket: decodeURIComponent(segments[0]!), Key: segments.slice(1).map(decodeURIComponent).join('/'), Body: req.body, Metadata: metadata, ...members },
      status: 200,
    };
  }
  throw new AwsError('NotImplemented', 501, 'A header you provided implies functionality that is not implemented');
}

function encodeOutput(operation: string, output: Output | undefined, status: number, requestId: string): WireResponse {
  if (operation === 'PutObject') {
    const headers = Object.fromEntries(Object.entries(output ?? {}).map(([member, v]) => [PUT_ANSWER[member] ?? member, String(v)]));
    return { status, headers: { ...headers, 'x-amz-request-id': requestId }, body: '' };
  }
  // GetBucketPolicy's body is the policy document itself.
  if (operation === 'GetBucketPolicy') {
    return { status, headers: { 'content-type': 'application/json', 'x-amz-request-id': requestId }, body: String(output?.Policy ?? '') };
  }
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
  operations: {
    GetBucketNotificationConfiguration: { mutating: false, run: getNotification },
    GetBucketPolicy: { mutating: false, run: getBucketPolicy },
    GetPublicAccessBlock: { mutating: false, run: getPublicAccessBlock },
    GetBucketEncryption: { mutating: false, run: getBucketEncryption },
    GetBucketVersioning: { mutating: false, run: getBucketVersioning },
    PutObject: { mutating: true, run: putObject },
  },
  codec: { decode, encodeOutput, encodeError },
};
