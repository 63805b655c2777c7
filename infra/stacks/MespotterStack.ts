import { join } from 'node:path';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, type ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { Construct } from 'constructs';
import { EnvName } from '../../functions/shared/env.js';
import { ENROLMENT_FILE, GALLERY_FILE, Prefix } from '../../functions/shared/keys.js';
import { EngineLayers, MODELS_MOUNT } from '../constructs/EngineLayers.js';
import { GpuBatchJob } from '../constructs/GpuBatchJob.js';
import type { HandlerName } from '../constructs/lambdaBundle.js';
import { QueueWorker } from '../constructs/QueueWorker.js';
import { WORKER_SETTINGS } from '../constructs/workerSettings.js';

export interface MespotterStackProps extends StackProps {
  /** Folder with <name>/index.js per handler (bundleHandlers). */
  handlersDir: string;
  modelsDir: string;
  nativeLayerDir: string;
  /** The functions' CPU and the native layer's (CDK context `architecture`); default arm64. */
  architecture?: Architecture;
  /** Use this existing bucket instead of creating one (CDK context `sourceBucket`). */
  sourceBucketName?: string;
  /** Most detect functions running at once (the account's concurrency and the bucket's request rate). */
  detectConcurrency?: number;
  /** The GPU batch path from elsewhere (its job queue and definition): runs of at least `minPhotos` go there. */
  gpuBatch?: { jobQueueArn: string; jobDefinitionArn: string; minPhotos: number };
  /** Build the GPU batch path in this stack (CDK context `gpuBatch=true`). */
  gpuBatchJob?: { projectRoot: string; instanceType: string; maxvCpus: number; minPhotos: number };
  /**
   * verify's Rekognition gray-zone cascade (CDK context `teacherGrayZone`); off when absent.
   * `ratePerSecond` is for the whole function, split evenly over its most concurrent containers.
   */
  teacherCascade?: {
    lo: number;
    hi: number;
    ratePerSecond: number;
    priceUsd?: number | undefined;
    threshold?: number | undefined;
  };
  /** detect (and the GPU job) use the faces index (CDK context `facesIndex`, default true). */
  facesIndex?: boolean;
  /** How long personal data is kept (CDK context `facesRetentionDays`, `resultsRetentionDays`, `dlqRetentionDays`). */
  retention?: Partial<RetentionSettings>;
}

export interface RetentionSettings {
  /** faces/: the embeddings of every face in every photo, bystanders included; only a cache. */
  facesDays: number;
  /** results/: result lines (who matched where), run records and summaries; re-derivable. */
  resultsDays: number;
  /** DLQs: failed messages, which can carry a photo's inline analysis (embeddings). */
  dlqDays: number;
}

/**
 * Safe defaults: the faces index is a cache, a month of it saves re-analysing recent photos;
 * results for a quarter; a week to notice a DLQ alarm and redrive (SQS counts a message's age
 * from when it was first sent, so this is also the longest anything stays in a DLQ).
 */
export const DEFAULT_RETENTION: RetentionSettings = { facesDays: 30, resultsDays: 90, dlqDays: 7 };

/**
 * The serverless pipeline: S3 → ingest → detect → verify → copy, each a queue-driven function
 * with its own DLQ, sharing one bucket whose prefixes separate inputs, state and outputs.
 */
export class MespotterStack extends Stack {
  readonly bucket: IBucket;
  readonly workers: Record<HandlerName, QueueWorker>;

  constructor(scope: Construct, id: string, props: MespotterStackProps) {
    super(scope, id, props);
    const retention = { ...DEFAULT_RETENTION, ...props.retention };
    this.bucket = props.sourceBucketName
      ? Bucket.fromBucketName(this, 'Bucket', props.sourceBucketName)
      : new Bucket(this, 'Bucket', {
          blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
          encryption: BucketEncryption.S3_MANAGED,
          enforceSSL: true,
          versioned: false,
          // Photos are the user's: `cdk destroy` never deletes them (docs/cloud.md, how to empty it).
          removalPolicy: RemovalPolicy.RETAIN,
          lifecycleRules: [
            { id: 'expire-faces', prefix: Prefix.Faces, expiration: Duration.days(retention.facesDays) },
            {
              id: 'expire-results',
              prefix: Prefix.Results,
              expiration: Duration.days(retention.resultsDays),
            },
            { id: 'abort-multipart', abortIncompleteMultipartUploadAfter: Duration.days(2) },
          ],
        });
    if (props.sourceBucketName) {
      Annotations.of(this).addWarningV2(
        'mespotter:retention',
        `bucket ${props.sourceBucketName} is not managed by this stack: the lifecycle rules for faces/ ` +
          `(${retention.facesDays} days, facesRetentionDays) and results/ (${retention.resultsDays} days) ` +
          'are not applied; add them to the bucket yourself (docs/cloud.md, "Data stored and how to delete it")',
      );
    }
    const layers = new EngineLayers(this, 'Layers', {
      modelsDir: props.modelsDir,
      nativeDir: props.nativeLayerDir,
      architecture: props.architecture ?? Architecture.ARM_64,
    });
    const engineEnv = { MESPOTTER_MODELS_DIR: MODELS_MOUNT };

    const worker = (
      name: HandlerName,
      description: string,
      layerList: ILayerVersion[],
      concurrency?: number,
    ) => {
      const w = WORKER_SETTINGS[name];
      return new QueueWorker(this, cap(name), {
        code: Code.fromAsset(join(props.handlersDir, name)),
        description,
        timeout: Duration.seconds(w.timeoutSeconds),
        memorySize: w.memoryMb,
        batchSize: w.batchSize,
        maxBatchingWindow: w.batchWindowSeconds > 0 ? Duration.seconds(w.batchWindowSeconds) : undefined,
        maxConcurrency: concurrency ?? w.maxConcurrency,
        maxReceiveCount: w.maxReceiveCount,
        dlqRetention: Duration.days(retention.dlqDays),
        layers: layerList,
        architecture: props.architecture ?? Architecture.ARM_64,
      });
    };
    const ingest = worker('ingest', 'mespotter ingest: S3 events and manifests → detect queue', [
      layers.models,
    ]);
    const detect = worker(
      'detect',
      'mespotter detect: photo → faces (engine) → verify queue; re-enrolment',
      [layers.native, layers.models],
      props.detectConcurrency,
    );
    const teacher = props.teacherCascade;
    // With the cascade, sharp (native layer) crops the reference face and re-encodes oversized photos.
    const verify = worker(
      'verify',
      'mespotter verify: faces vs galleries → result lines, copy queue',
      teacher ? [layers.native, layers.models] : [layers.models],
    );
    const copy = worker('copy', 'mespotter copy: matched photo → matches/<person>/<key>', []);
    this.workers = { ingest, detect, verify, copy };

    const all = Object.values(this.workers);
    for (const w of all) {
      w.fn.addEnvironment(EnvName.Bucket, this.bucket.bucketName);
      for (const [k, v] of Object.entries(engineEnv)) if (w !== copy) w.fn.addEnvironment(k, v);
    }
    ingest.fn.addEnvironment(EnvName.IngestQueueUrl, ingest.queue.queueUrl);
    ingest.fn.addEnvironment(EnvName.DetectQueueUrl, detect.queue.queueUrl);
    ingest.fn.addEnvironment(EnvName.DlqUrls, all.map((w) => w.dlq.queueUrl).join(','));
    detect.fn.addEnvironment(EnvName.VerifyQueueUrl, verify.queue.queueUrl);
    const facesIndex = props.facesIndex === false ? 'off' : 'on';
    detect.fn.addEnvironment(EnvName.FacesIndex, facesIndex);
    verify.fn.addEnvironment(EnvName.CopyQueueUrl, copy.queue.queueUrl);

    // S3 → ingest for the three watched prefixes only: the pipeline's own outputs never loop back.
    for (const prefix of [Prefix.Incoming, Prefix.Reference, Prefix.Manifests]) {
      this.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(ingest.queue), {
        prefix,
      });
    }

    // Least privilege: each function reads and writes only its prefixes and sends only to its next
    // queue. Where photos may be anywhere a manifest points, reads are allowed bucket-wide and the
    // biometric and personal prefixes it does not need are denied explicitly (a Deny also outlasts
    // any Allow added later).
    const objects = (...patterns: string[]) => patterns.map((p) => this.bucket.arnForObjects(p));
    const statement = (effect: Effect) => (who: IGrantable, actions: string[], resources: string[]) =>
      who.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ effect, actions, resources }));
    const allow = statement(Effect.ALLOW);
    const deny = statement(Effect.DENY);
    const sensitive = {
      references: `${Prefix.Reference}*`,
      galleries: `${Prefix.Reference}*/${GALLERY_FILE}`,
      enrolments: `${Prefix.Reference}*/${ENROLMENT_FILE}`,
      faces: `${Prefix.Faces}*`,
      matches: `${Prefix.Matches}*`,
      results: `${Prefix.Results}*`,
      resultLines: `${Prefix.Results}*/lines/*`,
    };
    // ListBucket: prefix expansion, gallery discovery, and a 404 (not 403) for absent objects.
    for (const w of all) allow(w.fn, ['s3:ListBucket'], [this.bucket.bucketArn]);

    allow(ingest.fn, ['s3:GetObject'], objects(`${Prefix.Manifests}*`, `${Prefix.Results}*`));
    allow(ingest.fn, ['s3:PutObject'], objects(`${Prefix.Results}*`));
    detect.queue.grantSendMessages(ingest.fn);
    ingest.queue.grantSendMessages(ingest.fn);
    for (const w of all) w.dlq.grant(ingest.fn, 'sqs:GetQueueAttributes');

    // Photos anywhere, reference photos (enrolment) and the faces index; never the galleries,
    // enrolment reports, matches or results, which it only writes.
    allow(detect.fn, ['s3:GetObject'], objects('*'));
    deny(
      detect.fn,
      ['s3:GetObject'],
      objects(sensitive.galleries, sensitive.enrolments, sensitive.matches, sensitive.results),
    );
    allow(
      detect.fn,
      ['s3:PutObject'],
      objects(`${Prefix.Faces}*`, `${Prefix.Results}*`, sensitive.galleries, sensitive.enrolments),
    );
    verify.queue.grantSendMessages(detect.fn);

    // The faces index (analyses too large for a message) and the galleries only.
    allow(verify.fn, ['s3:GetObject'], objects(sensitive.faces, sensitive.galleries));
    allow(verify.fn, ['s3:PutObject'], objects(`${Prefix.Results}*`));
    copy.queue.grantSendMessages(verify.fn);

    // The photos it copies (anywhere a manifest points) and its own destinations (HeadObject on
    // matches/ makes repeats idempotent); never references, galleries, the faces index or results.
    allow(copy.fn, ['s3:GetObject'], objects('*'));
    deny(copy.fn, ['s3:GetObject'], objects(sensitive.references, sensitive.faces, sensitive.results));
    allow(copy.fn, ['s3:PutObject', 's3:AbortMultipartUpload'], objects(`${Prefix.Matches}*`));
    allow(copy.fn, ['s3:PutObject'], objects(`${Prefix.Results}*`));

    if (teacher) {
      verify.fn.addEnvironment(EnvName.TeacherGrayZone, `${teacher.lo},${teacher.hi}`);
      // The token bucket lives in each container.
      const perContainer = teacher.ratePerSecond / WORKER_SETTINGS.verify.maxConcurrency;
      verify.fn.addEnvironment(EnvName.TeacherRate, String(perContainer));
      if (teacher.priceUsd !== undefined)
        verify.fn.addEnvironment(EnvName.TeacherPriceUsd, String(teacher.priceUsd));
      if (teacher.threshold !== undefined)
        verify.fn.addEnvironment(EnvName.TeacherThreshold, String(teacher.threshold));
      // CompareFaces has no resource-level permissions.
      allow(verify.fn, ['rekognition:CompareFaces'], ['*']);
      // Rekognition reads the photo (anywhere a manifest points) and the reference with verify's
      // credentials; the teacher downloads the reference to crop it to the face.
      allow(verify.fn, ['s3:GetObject'], objects('*'));
      deny(verify.fn, ['s3:GetObject'], objects(sensitive.enrolments, sensitive.matches, sensitive.results));
    }

    let gpuBatch = props.gpuBatch;
    if (props.gpuBatchJob) {
      const job = new GpuBatchJob(this, 'GpuBatch', {
        projectRoot: props.gpuBatchJob.projectRoot,
        verifyQueue: verify.queue,
        handOffQueue: detect.queue,
        instanceType: props.gpuBatchJob.instanceType,
        maxvCpus: props.gpuBatchJob.maxvCpus,
        environment: {
          [EnvName.Bucket]: this.bucket.bucketName,
          [EnvName.VerifyQueueUrl]: verify.queue.queueUrl,
          [EnvName.DetectQueueUrl]: detect.queue.queueUrl,
          [EnvName.FacesIndex]: facesIndex,
        },
      });
      // The job runs the detect stage for photos (no enrolment) and reads its run's key list.
      allow(job.jobRole, ['s3:ListBucket'], [this.bucket.bucketArn]);
      allow(job.jobRole, ['s3:GetObject'], objects('*'));
      deny(
        job.jobRole,
        ['s3:GetObject'],
        objects(
          sensitive.references,
          sensitive.matches,
          sensitive.resultLines,
          `${Prefix.Results}*/summary.json`,
        ),
      );
      allow(job.jobRole, ['s3:PutObject'], objects(`${Prefix.Faces}*`, `${Prefix.Results}*`));
      gpuBatch = {
        jobQueueArn: job.jobQueue.jobQueueArn,
        jobDefinitionArn: job.jobDefinition.jobDefinitionArn,
        minPhotos: props.gpuBatchJob.minPhotos,
      };
      new CfnOutput(this, 'GpuJobQueueArn', { value: job.jobQueue.jobQueueArn });
    }
    if (gpuBatch) {
      ingest.fn.addEnvironment(EnvName.GpuJobQueue, gpuBatch.jobQueueArn);
      ingest.fn.addEnvironment(EnvName.GpuJobDefinition, gpuBatch.jobDefinitionArn);
      ingest.fn.addEnvironment(EnvName.GpuBatchMinPhotos, String(gpuBatch.minPhotos));
      allow(ingest.fn, ['batch:SubmitJob'], [gpuBatch.jobQueueArn, gpuBatch.jobDefinitionArn]);
      allow(ingest.fn, ['s3:PutObject'], objects(`${Prefix.Results}*`));
    }

    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    for (const [name, w] of Object.entries(this.workers)) {
      new CfnOutput(this, `${cap(name)}QueueUrl`, { value: w.queue.queueUrl });
      new CfnOutput(this, `${cap(name)}DlqUrl`, { value: w.dlq.queueUrl });
    }
  }
}

const cap = (s: string): string => s[0]!.toUpperCase() + s.slice(1);
