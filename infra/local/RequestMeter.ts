import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';

/** How AWS bills a request: S3 by request class, SQS per 64 KB chunk of payload. */
export const RequestClass = {
  /** S3 GET, HEAD (and SELECT). */
  S3Get: 's3-get',
  /** S3 PUT, COPY, POST, LIST. */
  S3Put: 's3-put',
  /** S3 DELETE (free). */
  S3Free: 's3-free',
  Sqs: 'sqs',
} as const;
export type RequestClass = (typeof RequestClass)[keyof typeof RequestClass];

export interface MeteredRequest {
  /** The caller's SDK app id (AWS_SDK_UA_APP_ID / userAgentAppId), or `harness`. */
  who: string;
  op: string;
  class: RequestClass;
  /** Billed requests: SQS counts every 64 KB of the larger of request and response as one. */
  units: number;
  /** Payload size, the larger of request and response (SQS; S3 object bodies may show 0). */
  bytes: number;
  /** A ReceiveMessage that returned nothing: Lambda's pollers make these while a queue is idle. */
  empty: boolean;
  /** S3: the object key (or the listed prefix), to tell the bucket's prefixes apart. */
  key?: string;
}

const SQS_CHUNK = 64 * 1024;
/** Below this a ReceiveMessage response holds no message ({} or {"Messages":[]}). */
const EMPTY_RECEIVE_BYTES = 40;

const header = (req: IncomingMessage, name: string): string => {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
};

/** The key of a path-style request (/bucket/key), or the prefix a listing asks for. */
const s3Key = (req: IncomingMessage): string => {
  const url = new URL(req.url ?? '/', 'http://local');
  const [, , ...rest] = url.pathname.split('/');
  const key = rest.map((s) => decodeURIComponent(s)).join('/');
  return key || (url.searchParams.get('prefix') ?? '');
};

/** S3's operation from a path-style request: /bucket[/key][?query]. */
const s3Operation = (req: IncomingMessage): { op: string; class: RequestClass } => {
  const url = new URL(req.url ?? '/', 'http://local');
  const hasKey = url.pathname.split('/').filter(Boolean).length > 1;
  const q = url.searchParams;
  switch (req.method) {
    case 'HEAD':
      return { op: hasKey ? 'HeadObject' : 'HeadBucket', class: RequestClass.S3Get };
    case 'GET':
      return hasKey
        ? { op: 'GetObject', class: RequestClass.S3Get }
        : { op: 'ListObjectsV2', class: RequestClass.S3Put };
    case 'PUT':
      if (!hasKey) return { op: 'CreateBucket', class: RequestClass.S3Put };
      if (header(req, 'x-amz-copy-source'))
        return { op: q.has('partNumber') ? 'UploadPartCopy' : 'CopyObject', class: RequestClass.S3Put };
      return { op: q.has('partNumber') ? 'UploadPart' : 'PutObject', class: RequestClass.S3Put };
    case 'POST':
      if (q.has('delete')) return { op: 'DeleteObjects', class: RequestClass.S3Free };
      return {
        op: q.has('uploads') ? 'CreateMultipartUpload' : 'CompleteMultipartUpload',
        class: RequestClass.S3Put,
      };
    case 'DELETE':
      return { op: hasKey ? 'DeleteObject' : 'DeleteBucket', class: RequestClass.S3Free };
    default:
      return { op: req.method ?? '?', class: RequestClass.S3Get };
  }
};

/**
 * Counts the requests an emulator's HTTP server answers, classified as AWS bills them, and who
 * made them (the SDK app id in the user agent). Only what the server sees: sizes come from the
 * Content-Length headers (the SDK sets them for these calls), bodies are never read.
 */
export class RequestMeter {
  readonly #requests: MeteredRequest[] = [];
  #on = false;

  /** Listens to every request `server` (an http.Server) answers. */
  attach(server: Server): void {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!this.#on) return;
      const target = header(req, 'x-amz-target');
      // Powertools appends its own tag to the app id (detect-PT-…): the id is what comes before.
      const who = /\bapp\/([^\s]+)/.exec(header(req, 'user-agent'))?.[1]?.replace(/-PT-.*$/, '') ?? 'harness';
      const requestBytes = Number(header(req, 'content-length') || 0);
      // Responses are not always sent with a Content-Length: count what is written.
      let responseBytes = 0;
      const count = (chunk: unknown): void => {
        if (typeof chunk === 'string') responseBytes += Buffer.byteLength(chunk);
        else if (chunk instanceof Uint8Array) responseBytes += chunk.byteLength;
      };
      const write = res.write.bind(res) as (...a: unknown[]) => boolean;
      const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
      res.write = ((...a: unknown[]) => {
        count(a[0]);
        return write(...a);
      }) as typeof res.write;
      res.end = ((...a: unknown[]) => {
        if (typeof a[0] !== 'function') count(a[0]);
        return end(...a);
      }) as typeof res.end;
      res.once('finish', () => {
        const bytes = Math.max(requestBytes, responseBytes);
        if (target.startsWith('AmazonSQS.')) {
          const op = target.slice('AmazonSQS.'.length);
          this.#requests.push({
            who,
            op,
            class: RequestClass.Sqs,
            units: Math.max(1, Math.ceil(bytes / SQS_CHUNK)),
            bytes,
            empty: op === 'ReceiveMessage' && responseBytes < EMPTY_RECEIVE_BYTES,
          });
        } else {
          this.#requests.push({ who, ...s3Operation(req), units: 1, bytes, empty: false, key: s3Key(req) });
        }
      });
    });
  }

  start(): void {
    this.#requests.length = 0;
    this.#on = true;
  }

  /** Stops counting and hands over what was counted since start. */
  stop(): MeteredRequest[] {
    this.#on = false;
    return this.#requests.splice(0);
  }
}
