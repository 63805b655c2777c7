import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { CopyOutcome } from '../../core/report/resultLine.js';
import { s3Client } from '../shared/clients.js';
import type { SourceObject } from '../shared/messages.js';

/** Metadata on every copy: which source version it is, so a repeat is recognised and skipped. */
export const SOURCE_ETAG_META = 'mespotter-source-etag';

/** CopyObject's own limit; larger objects need UploadPartCopy. */
export const COPY_OBJECT_MAX_BYTES = 5 * 1024 ** 3;
const PART_BYTES = 512 * 1024 ** 2;
const PART_CONCURRENCY = 4;

/** CopySource must be URL-encoded (spaces, unicode, '+', '?'), keeping '/' between segments. */
export const copySource = (bucket: string, key: string): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

export interface CopyAttempt {
  outcome: typeof CopyOutcome.Copied | typeof CopyOutcome.AlreadyPresent | typeof CopyOutcome.Failed;
  destination: string;
  reason?: string;
}

const status = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

const headOrUndefined = async (bucket: string, key: string) => {
  try {
    return await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (status(error) === 404 || (error as Error).name === 'NotFound') return undefined;
    throw error;
  }
};

const GONE = 'source object no longer exists';
const CHANGED = 'source object changed since it was analysed';

/** The source as it was analysed (from the message), or as it is now (HeadObject) for older messages. */
const describeSource = async (
  bucket: string,
  key: string,
  sourceEtag: string,
  known: SourceObject | undefined,
): Promise<SourceObject | { failed: string }> => {
  if (known) return known;
  const head = await headOrUndefined(bucket, key);
  if (!head) return { failed: GONE };
  if (sourceEtag && head.ETag !== sourceEtag) return { failed: CHANGED };
  return {
    size: head.ContentLength ?? 0,
    ...(head.ContentType ? { contentType: head.ContentType } : {}),
    metadata: head.Metadata ?? {},
  };
};

/**
 * Copies one matched photo to `destination`, idempotently: a destination that already records
 * the same source ETag is left alone. `If-Match` on the source guarantees that what is copied is
 * the version that was analysed; if the photo changed since (412) or is gone (404), the copy is
 * reported, not made. `source` (size, type, metadata, read by detect with the photo) saves a
 * HeadObject of the source.
 */
export const copyToMatches = async (
  bucket: string,
  key: string,
  sourceEtag: string,
  destination: string,
  multipartAbove = COPY_OBJECT_MAX_BYTES,
  known?: SourceObject,
): Promise<CopyAttempt> => {
  const existing = await headOrUndefined(bucket, destination);
  if (existing?.Metadata?.[SOURCE_ETAG_META] === sourceEtag) {
    return { outcome: CopyOutcome.AlreadyPresent, destination };
  }
  const source = await describeSource(bucket, key, sourceEtag, known);
  if ('failed' in source) return { outcome: CopyOutcome.Failed, destination, reason: source.failed };
  const metadata = { ...source.metadata, [SOURCE_ETAG_META]: sourceEtag };
  const size = source.size;
  try {
    if (size > multipartAbove) {
      await multipartCopy(bucket, key, sourceEtag, destination, size, source.contentType, metadata);
    } else {
      await s3Client().send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: destination,
          CopySource: copySource(bucket, key),
          CopySourceIfMatch: sourceEtag || undefined,
          MetadataDirective: 'REPLACE',
          ContentType: source.contentType,
          Metadata: metadata,
        }),
      );
    }
  } catch (error) {
    if (status(error) === 412) return { outcome: CopyOutcome.Failed, destination, reason: CHANGED };
    if (
      (error as Error).name === 'NoSuchKey' ||
      (status(error) === 404 && (error as Error).name !== 'NoSuchBucket')
    )
      return { outcome: CopyOutcome.Failed, destination, reason: GONE };
    throw error;
  }
  return { outcome: CopyOutcome.Copied, destination };
};

const multipartCopy = async (
  bucket: string,
  key: string,
  sourceEtag: string,
  destination: string,
  size: number,
  contentType: string | undefined,
  metadata: Record<string, string>,
): Promise<void> => {
  const s3 = s3Client();
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: destination,
      ContentType: contentType,
      Metadata: metadata,
    }),
  );
  try {
    const parts: { ETag: string; PartNumber: number }[] = [];
    const ranges: { n: number; first: number; last: number }[] = [];
    for (let first = 0, n = 1; first < size; first += PART_BYTES, n++) {
      ranges.push({ n, first, last: Math.min(size, first + PART_BYTES) - 1 });
    }
    for (let i = 0; i < ranges.length; i += PART_CONCURRENCY) {
      const done = await Promise.all(
        ranges.slice(i, i + PART_CONCURRENCY).map(async (r) => {
          const out = await s3.send(
            new UploadPartCopyCommand({
              Bucket: bucket,
              Key: destination,
              UploadId,
              PartNumber: r.n,
              CopySource: copySource(bucket, key),
              CopySourceIfMatch: sourceEtag || undefined,
              CopySourceRange: `bytes=${r.first}-${r.last}`,
            }),
          );
          return { ETag: out.CopyPartResult?.ETag ?? '', PartNumber: r.n };
        }),
      );
      parts.push(...done);
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: destination,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: destination, UploadId }))
      .catch(() => undefined);
    throw error;
  }
};
