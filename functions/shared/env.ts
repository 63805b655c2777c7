import { CloudError, CloudErrorCode } from './errors.js';

/** Environment variables the stack sets on the functions (and the local harness in-process). */
export const EnvName = {
  Bucket: 'BUCKET_NAME',
  IngestQueueUrl: 'INGEST_QUEUE_URL',
  DetectQueueUrl: 'DETECT_QUEUE_URL',
  VerifyQueueUrl: 'VERIFY_QUEUE_URL',
  CopyQueueUrl: 'COPY_QUEUE_URL',
  /** Comma-separated DLQ URLs whose depth the run summary reports. */
  DlqUrls: 'DLQ_URLS',
  /** Largest photo a function will download (bytes); bigger ones get a file_too_large line. */
  MaxPhotoBytes: 'MAX_PHOTO_BYTES',
  /** Manifest runs with at least this many photos go to the GPU batch path (when configured). */
  GpuBatchMinPhotos: 'GPU_BATCH_MIN_PHOTOS',
  GpuJobQueue: 'GPU_JOB_QUEUE',
  GpuJobDefinition: 'GPU_JOB_DEFINITION',
  /** GPU batch container: photos in flight at once. */
  GpuConcurrency: 'MESPOTTER_GPU_CONCURRENCY',
  /** How long verify trusts its gallery list before listing reference/ again. */
  GalleryTtlSeconds: 'GALLERY_TTL_SECONDS',
  /** Base delay (s) between checks of whether a manifest run has finished; grows linearly per check. */
  FinalizeDelaySeconds: 'FINALIZE_DELAY_SECONDS',
  /** Multipart CopyObject above this size (CopyObject's own limit is 5 GiB). */
  MultipartCopyBytes: 'MULTIPART_COPY_BYTES',
  /** verify: the teacher cascade's gray zone `LO,HI`; unset (the default) turns the cascade off. */
  TeacherGrayZone: 'MESPOTTER_TEACHER_GRAY_ZONE',
  /** verify: teacher calls per second per container (the stack divides the function's rate by its concurrency). */
  TeacherRate: 'MESPOTTER_TEACHER_RATE',
  /** verify: longest a photo waits for a rate-limit slot (ms) before its local decision stands. */
  TeacherMaxWaitMs: 'MESPOTTER_TEACHER_MAX_WAIT_MS',
  /** verify: US dollars per CompareFaces call, for the cost on lines and summaries. */
  TeacherPriceUsd: 'MESPOTTER_TEACHER_PRICE_USD',
  /** verify: teacher similarity (0..100) that counts as the person. */
  TeacherThreshold: 'MESPOTTER_TEACHER_THRESHOLD',
} as const;
export type EnvName = (typeof EnvName)[keyof typeof EnvName];

export const requireEnv = (name: EnvName): string => {
  const value = process.env[name];
  if (!value) throw new CloudError(CloudErrorCode.MissingEnv, `environment variable ${name} is not set`);
  return value;
};

export const optionalEnv = (name: EnvName): string | undefined => process.env[name] || undefined;

export const numberEnv = (name: EnvName, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new CloudError(CloudErrorCode.MissingEnv, `${name} is not a number: ${raw}`);
  return n;
};
