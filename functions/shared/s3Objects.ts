import type { Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput, PutObjectCommand } from '@aws-sdk/client-s3';
import { ImageError, ImageErrorCode } from '../../core/errors.js';
import { readCapped } from '../../core/util/readCapped.js';
import { s3Client } from './clients.js';

export interface FetchedObject {
  bytes: Uint8Array;
  etag: string;
  /** What a copy of it must keep: carried to copy in the messages, so copy needs no HeadObject. */
  contentType?: string;
  metadata: Record<string, string>;
}

const isNoSuchKey = (error: unknown): boolean => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
};

/**
 * Downloads an object into memory, refusing one over `maxBytes` before and while reading it: the
 * declared length is checked first and the stream is cut off if it runs past the cap anyway.
 */
export const getObjectBytes = async (
  bucket: string,
  key: string,
  maxBytes: number,
): Promise<FetchedObject> => {
  let out: GetObjectCommandOutput;
  try {
    out = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (isNoSuchKey(error)) {
      throw new ImageError(ImageErrorCode.Vanished, 'object no longer exists', { cause: error });
    }
    throw error;
  }
  // In Node the SDK's body is a Readable: iterate it rather than buffering it whole.
  const bytes = await readCapped(
    out.Body as unknown as Readable | undefined,
    out.ContentLength,
    maxBytes,
    'object',
  );
  return {
    bytes,
    etag: out.ETag ?? '',
    ...(out.ContentType ? { contentType: out.ContentType } : {}),
    metadata: out.Metadata ?? {},
  };
};

/** Reads a small text object (JSON, gallery); undefined when it does not exist. */
export const getObjectText = async (
  bucket: string,
  key: string,
): Promise<{ text: string; etag: string } | undefined> => {
  try {
    const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { text: (await out.Body?.transformToString('utf8')) ?? '', etag: out.ETag ?? '' };
  } catch (error) {
    if (isNoSuchKey(error)) return undefined;
    throw error;
  }
};

export const putText = async (
  bucket: string,
  key: string,
  text: string,
  contentType: string,
): Promise<void> => {
  await s3Client().send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: contentType }),
  );
};

export const putJson = (bucket: string, key: string, value: unknown): Promise<void> =>
  putText(bucket, key, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
