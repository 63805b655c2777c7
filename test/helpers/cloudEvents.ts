import { Readable } from 'node:stream';
import type { Context, SQSEvent } from 'aws-lambda';
import { s3EventEnvelope } from '../../infra/local/s3EventEnvelope.js';

/** An SQS event as Lambda delivers it, one record per body. */
export const sqsEvent = (bodies: readonly string[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({
    messageId: `m${i}`,
    receiptHandle: `r${i}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:q',
    awsRegion: 'us-east-1',
  })),
});

/** The S3 notification body for one created object. */
export const s3Created = (key: string, etag = '"e1"', size = 100, bucket = 'photos'): string =>
  s3EventEnvelope({ bucket, key, etag, size, time: new Date('2026-01-02T03:04:05Z') });

export const lambdaContext = (): Context =>
  ({
    functionName: 'test',
    awsRequestId: 'req',
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

/** A GetObject body: iterable like the SDK's Node stream, with transformToString. */
export const objectBody = (content: string | Uint8Array) => {
  const buf = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  return Object.assign(Readable.from([buf]), { transformToString: async () => buf.toString('utf8') });
};
