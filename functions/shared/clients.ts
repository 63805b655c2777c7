import { BatchClient } from '@aws-sdk/client-batch';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * SDK clients, created once per container. With AWS_ENDPOINT_URL set (LocalStack, the local
 * emulator) S3 is addressed path-style and SQS at the endpoint rather than the queue URL's host,
 * whose made-up names (sqs.us-east-1.localhost) do not resolve everywhere.
 */
const endpoint = (): string | undefined => process.env['AWS_ENDPOINT_URL'] || undefined;

let s3: S3Client | undefined;
let sqs: SQSClient | undefined;
let batch: BatchClient | undefined;

export const s3Client = (): S3Client => {
  const url = endpoint();
  s3 ??= new S3Client(url ? { endpoint: url, forcePathStyle: true } : {});
  return s3;
};

export const sqsClient = (): SQSClient => {
  const url = endpoint();
  sqs ??= new SQSClient(url ? { endpoint: url, useQueueUrlAsEndpoint: false } : {});
  return sqs;
};

export const batchClient = (): BatchClient => {
  const url = endpoint();
  batch ??= new BatchClient(url ? { endpoint: url } : {});
  return batch;
};
