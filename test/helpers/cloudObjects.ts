import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ResultLine } from '../../core/report/resultLine.js';

export const listKeys = async (s3: S3Client, bucket: string, prefix: string): Promise<string[]> => {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
};

export const getText = async (s3: S3Client, bucket: string, key: string): Promise<string> => {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body?.transformToString('utf8')) ?? '';
};

export const put = async (
  s3: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array | string,
): Promise<void> => {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
};

/**
 * Every run's one line per input, with the run it belongs to, as the summaries count them: lines
 * objects read oldest first (their names sort by time), a path's newest line kept.
 */
export const readResultLines = async (
  s3: S3Client,
  bucket: string,
): Promise<(ResultLine & { runId: string })[]> => {
  const byRunAndPath = new Map<string, ResultLine & { runId: string }>();
  for (const key of await listKeys(s3, bucket, 'results/')) {
    if (!key.includes('/lines/')) continue;
    const runId = key.split('/')[1]!;
    for (const l of (await getText(s3, bucket, key)).split('\n').filter(Boolean)) {
      const line = JSON.parse(l) as ResultLine;
      const id = `${runId}\n${line.path}`;
      byRunAndPath.delete(id);
      byRunAndPath.set(id, { ...line, runId });
    }
  }
  return [...byRunAndPath.values()];
};
