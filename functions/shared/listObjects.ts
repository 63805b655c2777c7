import { type _Object, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { s3Client } from './clients.js';

/** Every object under a prefix, page by page (the SDK's paginator follows the continuation tokens). */
export async function* listObjects(bucket: string, prefix: string): AsyncGenerator<_Object> {
  for await (const page of paginateListObjectsV2(
    { client: s3Client() },
    { Bucket: bucket, Prefix: prefix },
  )) {
    yield* page.Contents ?? [];
  }
}
