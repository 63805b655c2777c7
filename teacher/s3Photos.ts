import type { Readable } from 'node:stream';
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../core/errors.js';
import { isPhotoName } from '../core/photoExtensions.js';
import { readCapped } from '../core/util/readCapped.js';

export interface S3Location {
  bucket: string;
  prefix: string;
}

/** An S3 client from the standard chain; follows a bucket's region when it differs. */
export const createS3Client = (region?: string): S3Client =>
  new S3Client({ ...(region ? { region } : {}), followRegionRedirects: true });

export const isS3Url = (text: string): boolean => text.startsWith('s3://');

/** `s3://bucket/some/prefix` → bucket and prefix (possibly empty). */
export const parseS3Url = (url: string): S3Location => {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match?.[1]) throw new ConfigError(`not an s3://bucket/prefix URL: "${url}"`);
  return { bucket: match[1], prefix: match[2] ?? '' };
};

export interface S3Photo {
  key: string;
  size?: number;
}

/** Every photo object under a prefix, in S3's (lexicographic) order, one page at a time. */
export async function* listS3Photos(s3: S3Client, location: S3Location): AsyncGenerator<S3Photo> {
  const pages = paginateListObjectsV2({ client: s3 }, { Bucket: location.bucket, Prefix: location.prefix });
  for await (const page of pages) {
    for (const o of page.Contents ?? []) {
      if (o.Key && isPhotoName(o.Key))
        yield { key: o.Key, ...(o.Size !== undefined ? { size: o.Size } : {}) };
    }
  }
}

/** Downloads an object, refusing one over `maxBytes` before or while reading it. */
export const getS3Bytes = async (
  s3: S3Client,
  bucket: string,
  key: string,
  maxBytes: number,
): Promise<Uint8Array> => {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return readCapped(
    out.Body as unknown as Readable | undefined,
    out.ContentLength,
    maxBytes,
    `s3://${bucket}/${key}`,
  );
};
