import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { EnvName } from '../../functions/shared/env.js';
import { Prefix } from '../../functions/shared/keys.js';
import { bundleHandlers } from '../constructs/bundleHandlers.js';
import { HANDLERS, type HandlerName } from '../constructs/lambdaBundle.js';
import { VISIBILITY_FACTOR } from '../constructs/QueueWorker.js';
import { WORKER_SETTINGS } from '../constructs/workerSettings.js';
import { EventSourcePoller, type InvocationInfo, type SqsHandler } from './EventSourcePoller.js';
import { listenOnLoopback } from './listenOnLoopback.js';
import type { RequestMeter } from './RequestMeter.js';
import { s3EventEnvelope } from './s3EventEnvelope.js';
import { WorkerContainers } from './WorkerContainers.js';

export interface LocalCloudOptions {
  projectRoot: string;
  /** 0 picks a free port. */
  port?: number;
  bucket?: string;
  /** Where the handler bundles go (default dist/lambda). */
  handlersDir?: string;
  modelsDir?: string;
  /** Containers (invocations at once) per function, default 2: 2 cores gain nothing from Lambda's 50. */
  concurrency?: Partial<Record<HandlerName, number>>;
  /** Local function timeout (s): Lambda's are sized for cold starts and multi-GB copies. */
  timeoutSeconds?: number;
  /** Overrides the queues' visibility timeout (s), e.g. 1 to see redrive quickly in tests. */
  visibilitySeconds?: number;
  /** Extra environment for the handlers (e.g. FINALIZE_DELAY_SECONDS). */
  environment?: Record<string, string>;
  onInvoke?: (info: InvocationInfo) => void;
  /**
   * Run the handlers on this thread instead of one worker thread per emulated container: quicker
   * to start and easier to debug, but concurrent invocations then share one JavaScript thread.
   */
  inline?: boolean;
  /** Counts the emulator's requests as AWS bills them (benchmarks). */
  meter?: RequestMeter;
}

export interface LocalQueue {
  url: string;
  arn: string;
  name: string;
  dlqUrl: string;
  dlqName: string;
}

export interface DrainOptions {
  /**
   * Do not wait for run finalizers: a run whose photos sit in a DLQ keeps its finalizer checking
   * (for about a day) before it writes a summary with `pending` > 0.
   */
  exceptFinalizers?: boolean;
}

const isFinalizer = (body: string): boolean => body.includes('"kind":"finalize"');

/** Prefixes whose uploads S3 would notify ingest about (as the stack configures). */
const WATCHED = [Prefix.Incoming, Prefix.Reference, Prefix.Manifests];
const REGION = 'us-east-1';

/**
 * The pipeline on one machine: fauxqs (S3 + SQS) on 127.0.0.1, the bucket and the four queues
 * with DLQs, S3 event notifications synthesised from uploads (fauxqs does not send them), and
 * the bundled handlers driven by emulated event source mappings.
 */
export class LocalCloud {
  readonly server: FauxqsServer;
  readonly endpoint: string;
  readonly bucket: string;
  readonly queues: Record<HandlerName, LocalQueue>;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly #notifications: SQSClient;
  readonly #pollers: EventSourcePoller[];
  readonly #containers: WorkerContainers[];
  readonly #pendingEvents = new Set<Promise<void>>();
  readonly #savedEnv: Record<string, string | undefined>;
  #stopped = false;

  private constructor(init: {
    server: FauxqsServer;
    endpoint: string;
    bucket: string;
    queues: Record<HandlerName, LocalQueue>;
    s3: S3Client;
    sqs: SQSClient;
    notifications: SQSClient;
    pollers: EventSourcePoller[];
    containers: WorkerContainers[];
    savedEnv: Record<string, string | undefined>;
  }) {
    this.server = init.server;
    this.endpoint = init.endpoint;
    this.bucket = init.bucket;
    this.queues = init.queues;
    this.s3 = init.s3;
    this.sqs = init.sqs;
    this.#notifications = init.notifications;
    this.#pollers = init.pollers;
    this.#containers = init.containers;
    this.#savedEnv = init.savedEnv;
  }

  static async start(o: LocalCloudOptions): Promise<LocalCloud> {
    // Lambda runs Node 22; the SDK's notice about Node 20 support ending is noise here.
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    const server = await listenOnLoopback(
      () =>
        startFauxqs({
          port: o.port ?? 0,
          logger: false,
          host: '127.0.0.1',
          messageSpies: { bufferSize: 50 },
        }),
      (s) => o.meter?.attach(s),
    );
    const endpoint = `http://127.0.0.1:${server.port}`;
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const s3 = new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials });
    const sqs = new SQSClient({ endpoint, region: REGION, useQueueUrlAsEndpoint: false, credentials });
    // Who sends what, for RequestMeter: S3's own notifications, and each mapping's polling (both billed in AWS).
    const sqsAs = (appId: string) =>
      new SQSClient({
        endpoint,
        region: REGION,
        useQueueUrlAsEndpoint: false,
        credentials,
        userAgentAppId: appId,
      });
    const notifications = sqsAs('s3-notifications');
    const bucket = o.bucket ?? 'mespotter-local';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));

    const names = Object.keys(HANDLERS) as HandlerName[];
    const queues = {} as Record<HandlerName, LocalQueue>;
    for (const name of names) {
      const w = WORKER_SETTINGS[name];
      const timeout = o.timeoutSeconds ?? Math.min(w.timeoutSeconds, 120);
      const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
      const dlqArn = await queueArn(sqs, dlq.QueueUrl!);
      const q = await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            VisibilityTimeout: String(o.visibilitySeconds ?? timeout * VISIBILITY_FACTOR),
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: dlqArn,
              maxReceiveCount: w.maxReceiveCount,
            }),
          },
        }),
      );
      queues[name] = {
        url: q.QueueUrl!,
        arn: await queueArn(sqs, q.QueueUrl!),
        name,
        dlqUrl: dlq.QueueUrl!,
        dlqName: `${name}-dlq`,
      };
    }

    // The handlers read these, as they would the stack's environment.
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      [EnvName.Bucket]: bucket,
      [EnvName.IngestQueueUrl]: queues.ingest.url,
      [EnvName.DetectQueueUrl]: queues.detect.url,
      [EnvName.VerifyQueueUrl]: queues.verify.url,
      [EnvName.CopyQueueUrl]: queues.copy.url,
      [EnvName.DlqUrls]: names.map((n) => queues[n].dlqUrl).join(','),
      [EnvName.GalleryTtlSeconds]: '0',
      [EnvName.FinalizeDelaySeconds]: '1',
      MESPOTTER_MODELS_DIR: o.modelsDir ?? join(o.projectRoot, 'layers', 'models'),
      POWERTOOLS_METRICS_NAMESPACE: 'mespotter',
      POWERTOOLS_METRICS_DISABLED: 'true',
      // Errors only, unless the caller's process asked for a level (the tests run SILENT).
      POWERTOOLS_LOG_LEVEL: process.env['POWERTOOLS_LOG_LEVEL'] ?? 'ERROR',
      ...o.environment,
    };
    const savedEnv: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(env)) {
      savedEnv[k] = process.env[k];
      process.env[k] = v;
    }

    const dirs = bundleHandlers(o.projectRoot, o.handlersDir ?? join(o.projectRoot, 'dist', 'lambda'));
    const require = createRequire(import.meta.url);
    const containers: WorkerContainers[] = [];
    const pollers = names.map((name) => {
      const w = WORKER_SETTINGS[name];
      const concurrency = o.concurrency?.[name] ?? 2;
      const bundle = join(dirs[name], 'index.js');
      let handler: SqsHandler;
      if (o.inline) {
        handler = (require(bundle) as { handler: SqsHandler }).handler;
      } else {
        const pool = new WorkerContainers(bundle, concurrency, { AWS_SDK_UA_APP_ID: name });
        containers.push(pool);
        handler = pool.handler;
      }
      return new EventSourcePoller({
        name,
        sqs: sqsAs(`${name}-event-source`),
        queueUrl: queues[name].url,
        queueArn: queues[name].arn,
        handler,
        batchSize: w.batchSize,
        batchWindowMs: Math.min(w.batchWindowSeconds * 1000, 200),
        maxConcurrency: concurrency,
        timeoutMs: (o.timeoutSeconds ?? Math.min(w.timeoutSeconds, 120)) * 1000,
        memoryMb: w.memoryMb,
        region: REGION,
        onInvoke: o.onInvoke,
      });
    });
    const cloud = new LocalCloud({
      server,
      endpoint,
      bucket,
      queues,
      s3,
      sqs,
      notifications,
      pollers,
      containers,
      savedEnv,
    });
    cloud.#notifyUploads();
    for (const p of pollers) p.start();
    return cloud;
  }

  /**
   * S3 → SQS notifications: every upload (PutObject, CopyObject, multipart) under a watched
   * prefix becomes an ObjectCreated event on the ingest queue. The spy has no subscribe call;
   * a waiter whose predicate never matches sees every event.
   */
  #notifyUploads(): void {
    this.server.spy
      .waitForMessage((m) => {
        if (m.service === 's3' && m.status === 'uploaded' && m.bucket === this.bucket && !this.#stopped) {
          if (WATCHED.some((p) => m.key.startsWith(p))) {
            const p = this.#sendEvent(m.key).finally(() => this.#pendingEvents.delete(p));
            this.#pendingEvents.add(p);
          }
        }
        return false;
      })
      .catch(() => undefined);
  }

  async #sendEvent(key: string): Promise<void> {
    const head = await this.s3
      .send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))
      .catch(() => undefined);
    if (!head) return;
    await this.#notifications.send(
      new SendMessageCommand({
        QueueUrl: this.queues.ingest.url,
        MessageBody: s3EventEnvelope({
          bucket: this.bucket,
          key,
          size: head.ContentLength ?? 0,
          etag: head.ETag ?? '',
          region: REGION,
        }),
      }),
    );
  }

  /**
   * Messages not yet done per queue (ready, delayed or in flight), and in each DLQ. With
   * `exceptFinalizers`, run finalizers waiting on the ingest queue are not counted.
   */
  depths(o: DrainOptions = {}): Record<string, number> {
    const counted = (m: { body: string }) => !(o.exceptFinalizers && isFinalizer(m.body));
    const out: Record<string, number> = {};
    for (const q of Object.values(this.queues)) {
      for (const name of [q.name, q.dlqName]) {
        const i = this.server.inspectQueue(name);
        out[name] = i
          ? i.messages.ready.filter(counted).length +
            i.messages.delayed.filter(counted).length +
            i.messages.inflight.filter((f) => counted(f.message)).length
          : 0;
      }
    }
    return out;
  }

  /** True when no event is being converted, no function runs and no queue holds work. */
  idle(o: DrainOptions = {}): boolean {
    if (this.#pendingEvents.size > 0 || this.#pollers.some((p) => p.busy > 0)) return false;
    const d = this.depths(o);
    return Object.values(this.queues).every((q) => d[q.name] === 0);
  }

  /** Waits until idle (seen twice in a row, so a message between two steps is not missed). */
  async drain(timeoutMs = 60_000, o: DrainOptions = {}): Promise<void> {
    const until = Date.now() + timeoutMs;
    let quiet = 0;
    while (quiet < 2) {
      if (Date.now() > until)
        throw new Error(`pipeline not idle after ${timeoutMs} ms: ${JSON.stringify(this.depths(o))}`);
      await new Promise((r) => setTimeout(r, 100));
      quiet = this.idle(o) ? quiet + 1 : 0;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#pollers.map((p) => p.stop()));
    await Promise.allSettled([...this.#pendingEvents]);
    await Promise.all(this.#containers.map((c) => c.close()));
    await this.server.stop();
    this.s3.destroy();
    this.sqs.destroy();
    this.#notifications.destroy();
    for (const p of this.#pollers) p.sqs.destroy();
    for (const [k, v] of Object.entries(this.#savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const queueArn = async (sqs: SQSClient, url: string): Promise<string> => {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return out.Attributes?.QueueArn ?? '';
};
