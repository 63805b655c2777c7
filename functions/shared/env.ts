import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';

/** Environment variables the stack sets on the functions (and the local harness in-process). */
export const EnvName = {
  Bucket: 'BUCKET_NAME',
  IngestQueueUrl: 'INGEST_QUEUE_URL',
  DetectQueueUrl: 'DETECT_QUEUE_URL',
  VerifyQueueUrl: 'VERIFY_QUEUE_URL',
  CopyQueueUrl: 'COPY_QUEUE_URL',
  /** Comma-separated DLQ URLs whose depth the run summary reports. */
  DlqUrls: 'DLQ_URLS',
  /**
   * detect: `on` (default) keeps every analysis in the faces index (faces/) so a photo seen again
   * is not analysed again; `off` skips its lookup and write (one GET and one PUT per new photo).
   */
  FacesIndex: 'FACES_INDEX',
  /** Largest photo a function will download (bytes); bigger ones get a file_too_large line. */
  MaxPhotoBytes: 'MAX_PHOTO_BYTES',
  /** Manifest runs with at least this many photos go to the GPU batch path (when configured). */
  GpuBatchMinPhotos: 'GPU_BATCH_MIN_PHOTOS',
  GpuJobQueue: 'GPU_JOB_QUEUE',
  GpuJobDefinition: 'GPU_JOB_DEFINITION',
  /** GPU batch container: photos in flight at once. */
  GpuConcurrency: 'MESPOTTER_GPU_CONCURRENCY',
  /** GPU batch container: the run it works on (set per job by ingest's SubmitJob). */
  GpuRunId: 'MESPOTTER_RUN_ID',
  GpuBucket: 'MESPOTTER_BUCKET',
  GpuKeysKey: 'MESPOTTER_KEYS_KEY',
  /** GPU batch container: `cuda` (default) or `cpu`. */
  GpuDevice: 'MESPOTTER_DEVICE',
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

export interface NumberRule {
  min?: number;
  max?: number;
  /** Strictly greater than this. */
  above?: number;
  int?: boolean;
}

const describeRule = ({ min, max, above, int }: NumberRule): string => {
  const kind = int ? 'an integer' : 'a number';
  if (above !== undefined) return `${kind} > ${above}`;
  if (min !== undefined && max !== undefined) return `${kind} in ${min}..${max}`;
  if (min !== undefined) return `${kind} >= ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
};

/** A set variable read as a number: empty, `abc`, `1.5` for an integer or out of range is an error. */
const numberText = (rule: NumberRule) =>
  z.string().transform((raw, ctx) => {
    const n = raw.trim() === '' ? Number.NaN : Number(raw);
    const ok =
      Number.isFinite(n) &&
      (!rule.int || Number.isInteger(n)) &&
      (rule.min === undefined || n >= rule.min) &&
      (rule.above === undefined || n > rule.above) &&
      (rule.max === undefined || n <= rule.max);
    if (ok) return n;
    ctx.addIssue({ code: 'custom', message: `must be ${describeRule(rule)} (got "${raw}")` });
    return z.NEVER;
  });

/**
 * Scheme, host and path. Not WHATWG URL parsing: emulators hand out queue URLs such as
 * http://sqs.us-east-1.127.0.0.1:4566/000000000000/detect, which it rejects and the SDK never
 * parses (the endpoint comes from AWS_ENDPOINT_URL).
 */
const QUEUE_URL = /^https?:\/\/[^\s/?#]+\/\S+$/;

/**
 * One builder per kind of variable. A variable that is set must be valid: an empty value is an
 * error rather than the default, since it is what a deployment that lost a value produces.
 */
export const envVar = {
  /** Required, not blank. */
  text: () => z.string({ error: 'is not set' }).trim().min(1, { error: 'is empty', abort: true }),
  /** Required http(s) URL with a path (a queue URL). */
  url: () => envVar.text().regex(QUEUE_URL, { error: 'is not an http(s) URL with a path' }),
  /** Optional comma-separated http(s) URLs; unset means none. */
  urlList: () =>
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        const urls = (raw ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const u of urls) {
          if (!QUEUE_URL.test(u)) {
            ctx.addIssue({
              code: 'custom',
              message: `holds "${u}", which is not an http(s) URL with a path`,
            });
            return z.NEVER;
          }
        }
        return urls;
      }),
  /** Optional switch-like text (an ARN, a gray zone): unset means off; set, it must not be blank. */
  optionalText: () => envVar.text().optional(),
  /** A number; unset takes `fallback`. */
  number: (fallback: number, rule: NumberRule = {}) => numberText(rule).default(fallback),
  optionalNumber: (rule: NumberRule = {}) => numberText(rule).optional(),
  /** Optional text turned into a value by `parse`, whose ConfigError message becomes the variable's issue. */
  parsedText: <T>(parse: (text: string) => T) =>
    envVar
      .text()
      .transform((text, ctx) => {
        try {
          return parse(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      })
      .optional(),
};

type Source = Readonly<Record<string, string | undefined>>;

/**
 * A process's whole environment as one schema: every variable it reads, checked together, so a
 * bad deployment fails at cold start naming all its bad variables instead of one photo at a time.
 * `build` turns the checked variables into settings and may add checks across variables.
 */
export class EnvSchema<Shape extends z.ZodRawShape, T> {
  readonly owner: string;
  readonly names: readonly string[];
  readonly #schema: z.ZodObject<Shape>;
  readonly #build: (vars: z.output<z.ZodObject<Shape>>) => T;
  #cached: { key: string; value?: T; error?: unknown } | undefined;

  constructor(owner: string, shape: Shape, build: (vars: z.output<z.ZodObject<Shape>>) => T) {
    this.owner = owner;
    this.names = Object.keys(shape);
    this.#schema = z.object(shape);
    this.#build = build;
  }

  /** Checks `source`; throws one ConfigError naming every bad variable. */
  parse(source: Source): T {
    const picked = Object.fromEntries(this.names.map((n) => [n, source[n]]));
    const parsed = this.#schema.safeParse(picked);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${String(i.path[0] ?? '')} ${i.message}`);
      throw new ConfigError(`invalid ${this.owner} environment: ${issues.join('; ')}`);
    }
    return this.#build(parsed.data);
  }

  /**
   * process.env checked once per container (a Lambda's environment never changes under it); a
   * failure is kept and thrown again on every invocation. Checked again only if one of its
   * variables changes, which only tests do.
   */
  load(): T {
    const key = JSON.stringify(this.names.map((n) => process.env[n] ?? null));
    if (this.#cached?.key !== key) {
      try {
        this.#cached = { key, value: this.parse(process.env) };
      } catch (error) {
        this.#cached = { key, error };
      }
    }
    if (this.#cached.error !== undefined) throw this.#cached.error;
    return this.#cached.value as T;
  }
}

/** Fails when exactly one of two variables that only work together is set. */
export const bothOrNeither = (owner: string, a: [string, unknown], b: [string, unknown]): boolean => {
  if ((a[1] === undefined) !== (b[1] === undefined)) {
    const [set, unset] = a[1] === undefined ? [b[0], a[0]] : [a[0], b[0]];
    throw new ConfigError(`invalid ${owner} environment: ${set} is set but ${unset} is not`);
  }
  return a[1] !== undefined;
};

/**
 * A handler's settings before it touches any record: a bad environment is logged and fails the
 * invocation as a whole, so every message in it is retried and ends in the DLQ, none is recorded.
 */
export const settingsOrFail = <T>(
  env: { load(): T },
  log: (message: string, extra: Record<string, unknown>) => void,
): T => {
  try {
    return env.load();
  } catch (error) {
    log('configuration invalid: failing the invocation, its messages will be retried', {
      error: (error as Error).message,
    });
    throw error;
  }
};
