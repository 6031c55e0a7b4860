/**
 * The sandbox's S3 PutObject, through the real SDK client, against S3's rules: versions, default
 * encryption, conditional writes, checksums, key and metadata limits, and S3's error shapes.
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { currentVersion } from '../../drill/sandbox/s3';
import type { AccountState } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const REPORTS = 'runbook-autopilot-reports';
const PLAIN = 'plain-bucket';
const KEY_ARN = 'arn:aws:kms:sa-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const sandbox = useSandbox((state: AccountState) => {
  state.s3 = {
    buckets: {
      ...state.s3?.buckets,
      [REPORTS]: { owner: '111122223333', lambdaNotifications: [], versioning: 'Enabled', encryption: { kmsKeyArn: KEY_ARN, bucketKeyEnabled: true } },
      [PLAIN]: { owner: '111122223333', lambdaNotifications: [] },
    },
  };
});
const s3 = () => new S3Client(clientConfig(sandbox()));
const put = (input: Partial<PutObjectCommandInput>) => s3().send(new PutObjectCommand({ Bucket: REPORTS, Key: 'incidents/a.md', Body: '# a\n', ...input }));
const bucket = (name: string) => sandbox().state.s3!.buckets[name]!;

test('a put keeps the body, its content type and metadata, and answers its ETag, version and the bucket\'s KMS encryption', async () => {
  const body = '# lambda-runaway on `fn`: remediated — é\n';
  const out = await put({ Body: body, ContentType: 'text/markdown; charset=utf-8', Metadata: { 'Incident-Id': 'inc-0123456789abcdef' } });

  const kept = currentVersion(bucket(REPORTS), 'incidents/a.md')!;
  expect(kept).toMatchObject({ body, contentType: 'text/markdown; charset=utf-8', metadata: { 'incident-id': 'inc-0123456789abcdef' }, serverSideEncryption: 'aws:kms', kmsKeyId: KEY_ARN });
  expect(out).toMatchObject({
    ETag: `"${createHash('md5').update(body).digest('hex')}"`, VersionId: kept.versionId, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN, BucketKeyEnabled: true,
  });
});

test('in a versioned bucket each write is a new version; without versioning the one "null" version is replaced', async () => {
  const first = await put({ Body: 'one' });
  const second = await put({ Body: 'two' });
  expect(first.VersionId).not.toEqual(second.VersionId);
  expect(bucket(REPORTS).objects!['incidents/a.md']!.map((v) => [v.versionId, v.body])).toEqual([[first.VersionId, 'one'], [second.VersionId, 'two']]);

  await s3().send(new PutObjectCommand({ Bucket: PLAIN, Key: 'k', Body: 'one' }));
  const out = await s3().send(new PutObjectCommand({ Bucket: PLAIN, Key: 'k', Body: 'two' }));
  expect(out.VersionId).toBeUndefined();
  expect(out.ServerSideEncryption).toBe('AES256');
  expect(bucket(PLAIN).objects!.k!.map((v) => [v.versionId, v.body])).toEqual([['null', 'two']]);
});

test('conditional writes: If-None-Match * refuses an existing key, If-Match refuses another ETag and a missing key', async () => {
  await put({ IfNoneMatch: '*', Body: 'first' });
  const taken = await rejectionOf(put({ IfNoneMatch: '*', Body: 'second' }));
  expect({ name: taken.name, status: taken.$metadata?.httpStatusCode }).toEqual({ name: 'PreconditionFailed', status: 412 });
  const stale = await rejectionOf(put({ IfMatch: '"0123"', Body: 'second' }));
  expect(stale.name).toBe('PreconditionFailed');
  const missing = await rejectionOf(put({ Key: 'incidents/none.md', IfMatch: '"0123"' }));
  expect({ name: missing.name, status: missing.$metadata?.httpStatusCode }).toEqual({ name: 'NoSuchKey', status: 404 });
  expect(bucket(REPORTS).objects!['incidents/a.md']!.map((v) => v.body)).toEqual(['first']);

  const etag = currentVersion(bucket(REPORTS), 'incidents/a.md')!.etag;
  await put({ IfMatch: etag, Body: 'third' });
  expect(currentVersion(bucket(REPORTS), 'incidents/a.md')!.body).toBe('third');
});

test('a body that does not match its Content-MD5 is BadDigest, and nothing is written', async () => {
  const wrong = createHash('md5').update('something else').digest('base64');
  const e = await rejectionOf(put({ ContentMD5: wrong }));
  expect({ name: e.name, status: e.$metadata?.httpStatusCode }).toEqual({ name: 'BadDigest', status: 400 });
  expect(bucket(REPORTS).objects?.['incidents/a.md']).toBeUndefined();
});

test('a key over 1,024 bytes is KeyTooLongError; metadata over 2 KB is MetadataTooLarge; a missing bucket is NoSuchBucket', async () => {
  const long = await rejectionOf(put({ Key: `incidents/${'é'.repeat(510)}.md` }));
  expect(long.name).toBe('KeyTooLongError');
  const meta = await rejectionOf(put({ Metadata: { note: 'x'.repeat(2100) } }));
  expect(meta.name).toBe('MetadataTooLarge');
  const none = await rejectionOf(put({ Bucket: 'no-such-bucket' }));
  expect({ name: none.name, status: none.$metadata?.httpStatusCode }).toEqual({ name: 'NoSuchBucket', status: 404 });
  expect(bucket(REPORTS).objects ?? {}).toEqual({});
});

test('the SDK\'s CRC32 checksum is checked: a body changed on the way is BadDigest', async () => {
  // The SDK computes the checksum of the body it sends; a middleware changes the body after that.
  const client = s3();
  client.middlewareStack.add((next) => async (args) => {
    const request = args.request as { body?: unknown };
    request.body = 'tampered';
    return next(args);
  }, { step: 'finalizeRequest', name: 'tamper', priority: 'low' });
  const e = await rejectionOf(client.send(new PutObjectCommand({ Bucket: REPORTS, Key: 'incidents/a.md', Body: 'original' })));
  expect(e.name).toMatch(/^(BadDigest|XAmzContentSHA256Mismatch)$/);
  expect(bucket(REPORTS).objects?.['incidents/a.md']).toBeUndefined();
});
