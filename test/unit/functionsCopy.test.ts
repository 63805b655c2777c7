import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { copySource, copyToMatches, SOURCE_ETAG_META } from '../../functions/copy/copyToMatches.js';
import { handler } from '../../functions/copy/handler.js';
import { lambdaContext, sqsEvent } from '../helpers/cloudEvents.js';

const s3 = mockClient(S3Client);
const notFound = Object.assign(new Error('NotFound'), {
  name: 'NotFound',
  $metadata: { httpStatusCode: 404 },
});
const KEY = 'incoming/été 2024/a+b #1?.jpg';

describe('Function: copy', () => {
  beforeEach(() => {
    process.env['AWS_REGION'] = 'us-east-1';
    process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
    process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
    s3.reset();
  });

  afterAll(() => {
    delete process.env['POWERTOOLS_METRICS_DISABLED'];
    delete process.env['POWERTOOLS_LOG_LEVEL'];
  });

  it('URL-encodes CopySource segment by segment', () => {
    expect(copySource('b', KEY)).toBe('b/incoming/%C3%A9t%C3%A9%202024/a%2Bb%20%231%3F.jpg');
  });

  it('copies with the source ETag as a precondition and records it on the copy', async () => {
    // Prepare
    s3.on(HeadObjectCommand, { Key: `matches/Anna/${KEY}` }).rejects(notFound);
    s3.on(HeadObjectCommand, { Key: KEY }).resolves({
      ETag: '"e1"',
      ContentLength: 10,
      ContentType: 'image/jpeg',
    });
    s3.on(CopyObjectCommand).resolves({});

    // Act
    const out = await copyToMatches('b', KEY, '"e1"', `matches/Anna/${KEY}`);

    // Assess
    expect(out.outcome).toBe('copied');
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      Bucket: 'b',
      Key: `matches/Anna/${KEY}`,
      CopySource: copySource('b', KEY),
      CopySourceIfMatch: '"e1"',
      MetadataDirective: 'REPLACE',
      ContentType: 'image/jpeg',
      Metadata: { [SOURCE_ETAG_META]: '"e1"' },
    });
  });

  it('is idempotent: a destination holding the same source ETag is left alone', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"x"', Metadata: { [SOURCE_ETAG_META]: '"e1"' } });
    const out = await copyToMatches('b', KEY, '"e1"', `matches/Anna/${KEY}`);
    expect(out.outcome).toBe('already_present');
    expect(s3).not.toHaveReceivedCommand(CopyObjectCommand);
  });

  it('does not copy a source that changed since it was analysed', async () => {
    s3.on(HeadObjectCommand, { Key: 'm/x.jpg' }).rejects(notFound);
    s3.on(HeadObjectCommand, { Key: 'x.jpg' }).resolves({ ETag: '"new"', ContentLength: 1 });
    const out = await copyToMatches('b', 'x.jpg', '"old"', 'm/x.jpg');
    expect(out).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/changed/) });
    expect(s3).not.toHaveReceivedCommand(CopyObjectCommand);
  });

  it('copies objects over the CopyObject limit in parts', async () => {
    // Prepare: 6 GiB, above CopyObject's 5 GiB.
    const size = 6 * 1024 ** 3;
    s3.on(HeadObjectCommand, { Key: 'm/big.tif' }).rejects(notFound);
    s3.on(HeadObjectCommand, { Key: 'big.tif' }).resolves({
      ETag: '"e"',
      ContentLength: size,
      ContentType: 'image/tiff',
    });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3.on(UploadPartCopyCommand).callsFake((i: { PartNumber: number }) => ({
      CopyPartResult: { ETag: `"p${i.PartNumber}"` },
    }));
    s3.on(CompleteMultipartUploadCommand).resolves({});

    // Act
    const out = await copyToMatches('b', 'big.tif', '"e"', 'm/big.tif');

    // Assess
    expect(out.outcome).toBe('copied');
    expect(s3).not.toHaveReceivedCommand(CopyObjectCommand);
    expect(s3).toHaveReceivedCommandTimes(UploadPartCopyCommand, 12);
    expect(s3).toHaveReceivedCommandWith(UploadPartCopyCommand, {
      PartNumber: 12,
      CopySourceRange: `bytes=${11 * 512 * 1024 ** 2}-${size - 1}`,
      CopySourceIfMatch: '"e"',
    });
    const parts = s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload!.Parts!;
    expect(parts.map((p) => p.PartNumber)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(s3).toHaveReceivedCommandWith(CreateMultipartUploadCommand, {
      Metadata: { [SOURCE_ETAG_META]: '"e"' },
    });
  });

  it('makes every planned copy, then writes the photo’s one line with each outcome', async () => {
    // Prepare: two people found; Bea's copy is already there from an earlier run.
    s3.on(HeadObjectCommand, { Key: 'matches/Anna/p.jpg' }).rejects(notFound);
    s3.on(HeadObjectCommand, { Key: 'matches/Bea/p.jpg' }).resolves({
      Metadata: { [SOURCE_ETAG_META]: '"e"' },
    });
    s3.on(HeadObjectCommand, { Key: 'p.jpg' }).resolves({ ETag: '"e"', ContentLength: 1 });
    s3.on(CopyObjectCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
    const line = { path: 'p.jpg', status: 'matched', people: ['Anna', 'Bea'], faces: [] };
    const body = JSON.stringify({
      runId: 'r',
      bucket: 'b',
      key: 'p.jpg',
      etag: '"e"',
      line,
      copies: [
        { people: ['Anna'], destination: 'matches/Anna/p.jpg' },
        { people: ['Bea'], destination: 'matches/Bea/p.jpg' },
      ],
    });

    // Act
    const out = await handler(sqsEvent([body, '{"garbage":true}']), lambdaContext());

    // Assess: the garbage message fails alone; one copy made, one found, one line written last.
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(s3).toHaveReceivedCommandTimes(CopyObjectCommand, 1);
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, { Key: 'matches/Anna/p.jpg' });
    const puts = s3.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    expect(String(puts[0]!.args[0].input.Key)).toMatch(/^results\/r\/lines\/.+Z-[0-9a-f]{8}-1\.jsonl$/);
    const written = String(puts[0]!.args[0].input.Body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(written).toEqual([
      {
        ...line,
        copies: [
          { people: ['Anna'], outcome: 'copied', destination: 'matches/Anna/p.jpg' },
          { people: ['Bea'], outcome: 'already_present', destination: 'matches/Bea/p.jpg' },
        ],
      },
    ]);
  });

  it('uses the source detect read (size, type, metadata) instead of a HeadObject, and reports a vanished one', async () => {
    // Prepare: the message carries the source; the second photo is gone by the time of the copy.
    s3.on(HeadObjectCommand).rejects(notFound);
    s3.on(CopyObjectCommand, { Key: 'matches/Anna/a.jpg' }).resolves({});
    s3.on(CopyObjectCommand, { Key: 'matches/Anna/gone.jpg' }).rejects(
      Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }),
    );
    s3.on(PutObjectCommand).resolves({});
    const message = (key: string) =>
      JSON.stringify({
        runId: 'r',
        bucket: 'b',
        key,
        etag: '"e"',
        line: { path: key, status: 'matched', people: ['Anna'], faces: [] },
        copies: [{ people: ['Anna'], destination: `matches/Anna/${key}` }],
        source: { size: 10, contentType: 'image/jpeg', metadata: { camera: 'x100' } },
      });

    // Act
    const out = await handler(sqsEvent([message('a.jpg'), message('gone.jpg')]), lambdaContext());

    // Assess: only the destinations were looked at; both lines in one object, after the copies.
    expect(out.batchItemFailures).toEqual([]);
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      'matches/Anna/a.jpg',
      'matches/Anna/gone.jpg',
    ]);
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      Key: 'matches/Anna/a.jpg',
      ContentType: 'image/jpeg',
      Metadata: { camera: 'x100', [SOURCE_ETAG_META]: '"e"' },
    });
    const puts = s3.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    expect(String(puts[0]!.args[0].input.Key)).toMatch(/-2\.jsonl$/);
    const written = String(puts[0]!.args[0].input.Body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; copies: { outcome: string; reason?: string }[] });
    expect(Object.fromEntries(written.map((l) => [l.path, l.copies[0]]))).toEqual({
      'a.jpg': { people: ['Anna'], outcome: 'copied', destination: 'matches/Anna/a.jpg' },
      'gone.jpg': {
        people: ['Anna'],
        outcome: 'failed',
        destination: 'matches/Anna/gone.jpg',
        reason: 'source object no longer exists',
      },
    });
  });

  it('refuses a copy message without planned copies (nothing to copy is verify’s line to write)', async () => {
    const body = JSON.stringify({
      runId: 'r',
      bucket: 'b',
      key: 'p.jpg',
      etag: '"e"',
      line: { path: 'p.jpg', status: 'no_match', people: [], faces: [] },
      copies: [],
    });
    await expect(handler(sqsEvent([body]), lambdaContext())).rejects.toThrow(/All records failed/);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });
});
