import { randomUUID } from 'node:crypto';

/** S3 encodes event keys like a form: each segment URL-encoded, spaces as '+', '/' kept. */
export const encodeEventKey = (key: string): string =>
  key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%20/g, '+'))
    .join('/');

export interface CreatedObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  time?: Date;
  region?: string;
}

let sequencer = 0;

/** The standard ObjectCreated notification body S3 sends to an SQS queue (one record). */
export const s3EventEnvelope = (o: CreatedObject): string =>
  JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: o.region ?? 'us-east-1',
        eventTime: (o.time ?? new Date()).toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'local' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': randomUUID(), 'x-amz-id-2': randomUUID() },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'mespotter-local',
          bucket: {
            name: o.bucket,
            ownerIdentity: { principalId: 'local' },
            arn: `arn:aws:s3:::${o.bucket}`,
          },
          object: {
            key: encodeEventKey(o.key),
            size: o.size,
            // Event ETags carry no quotes, unlike HeadObject's.
            eTag: o.etag.replace(/"/g, ''),
            sequencer: (++sequencer).toString(16).toUpperCase().padStart(16, '0'),
          },
        },
      },
    ],
  });
