/** The only module that talks to Amazon Rekognition. */
import {
  CompareFacesCommand,
  type CompareFacesResponse,
  type Image,
  type QualityFilter,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import type { S3Client } from '@aws-sdk/client-s3';
import { ImageError, ImageErrorCode } from '../core/errors.js';
import { ratioBoxToPixels } from '../core/teacher/pairFaces.js';
import {
  type Teacher,
  type TeacherFace,
  TeacherFailureCode,
  type TeacherImage,
  type TeacherResult,
  type TeacherSource,
  type TeacherTarget,
} from '../core/teacher/types.js';
import type { Box } from '../core/types.js';
import {
  fitForRekognition,
  isRekognitionS3Format,
  prepareSourceBytes,
  RekognitionLimits,
} from './rekognitionImage.js';
import { createS3Client, getS3Bytes } from './s3Photos.js';

export interface RekognitionTeacherOptions {
  /** A ready client (tests pass a mocked one); otherwise one is built from the standard chain. */
  client?: RekognitionClient;
  /** For photos that must be downloaded and re-encoded; built lazily from the standard chain. */
  s3?: S3Client;
  /** Region for both clients; default: the standard chain (AWS_REGION, profile, …). */
  region?: string;
  /** SDK attempts per request (adaptive retry mode: network errors, 5xx, throttling). Default 3. */
  maxAttempts?: number;
  /** Further rounds, with our own backoff, for throttling that outlasts the SDK's attempts. Default 4. */
  throttleRetries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * CompareFaces' `SimilarityThreshold`. 0 (the default) puts every compared face in
   * `FaceMatches` with its similarity, so labels at any teacher threshold, agreement curves and
   * the logistic fit all get the real number; the price per call is the same.
   */
  similarityThreshold?: number;
  /** CompareFaces' `QualityFilter`; NONE so every face we might ask about is compared. */
  qualityFilter?: QualityFilter;
  /** Decompression-bomb guard when an image has to be re-encoded. */
  maxPixels?: number;
  /** Largest S3 object downloaded for re-encoding. */
  maxDownloadBytes?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'TooManyRequestsException',
  'Throttling',
  'RequestLimitExceeded',
]);

const FAILURE_BY_NAME: Record<string, TeacherFailureCode> = {
  InvalidParameterException: TeacherFailureCode.InvalidParameter,
  InvalidImageFormatException: TeacherFailureCode.InvalidImage,
  ImageTooLargeException: TeacherFailureCode.ImageTooLarge,
  InvalidS3ObjectException: TeacherFailureCode.InvalidS3Object,
  AccessDeniedException: TeacherFailureCode.AccessDenied,
  CredentialsProviderError: TeacherFailureCode.Credentials,
  InternalServerError: TeacherFailureCode.ServiceError,
};

const errorName = (error: unknown): string =>
  error && typeof error === 'object' && 'name' in error ? String((error as { name: unknown }).name) : '';

const isThrottling = (error: unknown): boolean => THROTTLING.has(errorName(error));

const failureCode = (error: unknown): TeacherFailureCode => {
  if (isThrottling(error)) return TeacherFailureCode.Throttled;
  if (error instanceof ImageError) {
    return error.code === ImageErrorCode.TooLarge || error.code === ImageErrorCode.TooManyPixels
      ? TeacherFailureCode.ImageTooLarge
      : TeacherFailureCode.InvalidImage;
  }
  return FAILURE_BY_NAME[errorName(error)] ?? TeacherFailureCode.Unknown;
};

const messageOf = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error);
  // Rekognition answers a source image without a face with this bare sentence.
  return errorName(error) === 'InvalidParameterException'
    ? `${text} (often: no face in the source image)`
    : text;
};

/** Failures Rekognition blames on the S3 object's size or format: download, re-encode, send bytes. */
const REENCODE_ON = new Set(['ImageTooLargeException', 'InvalidImageFormatException']);

const boxKey = (b: Box | undefined): string => (b ? `${b.x1},${b.y1},${b.x2},${b.y2}` : '');

/** Thrown out of the retry loop with how many requests were made. */
class SendError extends Error {
  readonly attempts: number;
  constructor(cause: unknown, attempts: number) {
    super(messageOf(cause), { cause });
    this.name = 'SendError';
    this.attempts = attempts;
  }
}

/**
 * Amazon Rekognition CompareFaces as a teacher. Region and credentials come from the standard
 * chain; throttling is retried by the SDK (adaptive mode) and then with our own capped
 * exponential backoff with full jitter; images over Rekognition's limits or in other formats
 * are re-encoded first; photos in S3 are read by Rekognition directly (same-region buckets).
 */
export class RekognitionTeacher implements Teacher {
  readonly id = 'aws-rekognition:CompareFaces';
  readonly client: RekognitionClient;
  readonly #options: RekognitionTeacherOptions;
  #s3: S3Client | undefined;
  readonly #sources = new Map<string, Promise<Image>>();
  readonly #byteSources = new WeakMap<Uint8Array, Map<string, Promise<Image>>>();

  constructor(options: RekognitionTeacherOptions = {}) {
    this.#options = options;
    this.client =
      options.client ??
      new RekognitionClient({
        ...(options.region ? { region: options.region } : {}),
        retryMode: 'adaptive',
        maxAttempts: options.maxAttempts ?? 3,
      });
    this.#s3 = options.s3;
  }

  async compareFaces(source: TeacherSource, target: TeacherTarget): Promise<TeacherResult> {
    let attempts = 0;
    const send = async (sourceImage: Image, targetImage: Image): Promise<CompareFacesResponse> => {
      try {
        const sent = await this.#send(sourceImage, targetImage);
        attempts += sent.attempts;
        return sent.response;
      } catch (error) {
        if (!(error instanceof SendError)) throw error;
        attempts += error.attempts;
        throw error.cause;
      }
    };
    try {
      const sourceImage = await this.#source(source);
      const targetImage = await this.#image(target.image);
      let response: CompareFacesResponse;
      try {
        response = await send(sourceImage, targetImage);
      } catch (error) {
        // Rekognition read the object itself and refused it: send a re-encoded copy instead.
        if (!(targetImage.S3Object && target.image.kind === 's3' && REENCODE_ON.has(errorName(error))))
          throw error;
        const bytes = await this.#downloadFitted(target.image.bucket, target.image.key);
        response = await send(sourceImage, { Bytes: bytes });
      }
      return {
        ok: true,
        comparison: { faces: toTeacherFaces(response, target.width, target.height), attempts },
      };
    } catch (error) {
      return { ok: false, failure: { code: failureCode(error), message: messageOf(error), attempts } };
    }
  }

  async #send(source: Image, target: Image): Promise<{ response: CompareFacesResponse; attempts: number }> {
    const retries = this.#options.throttleRetries ?? 4;
    const base = this.#options.backoffBaseMs ?? 500;
    const cap = this.#options.backoffMaxMs ?? 20_000;
    const sleep = this.#options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const random = this.#options.random ?? Math.random;
    const command = new CompareFacesCommand({
      SourceImage: source,
      TargetImage: target,
      SimilarityThreshold: this.#options.similarityThreshold ?? 0,
      QualityFilter: this.#options.qualityFilter ?? 'NONE',
    });
    for (let round = 0; ; round++) {
      try {
        return { response: await this.client.send(command), attempts: round + 1 };
      } catch (error) {
        if (!isThrottling(error) || round >= retries) throw new SendError(error, round + 1);
        // Full jitter: spreads the retries of many concurrent lanes.
        await sleep(Math.min(cap, base * 2 ** round) * random());
      }
    }
  }

  /** A reference is prepared once (downloaded, cropped to its face, encoded) and reused. */
  #source(source: TeacherSource): Promise<Image> {
    const key = boxKey(source.face);
    let cache: Map<string, Promise<Image>>;
    if (source.image.kind === 'bytes') {
      cache = this.#byteSources.get(source.image.bytes) ?? new Map();
      this.#byteSources.set(source.image.bytes, cache);
    } else {
      cache = this.#sources;
    }
    const id = source.image.kind === 's3' ? `s3://${source.image.bucket}/${source.image.key}#${key}` : key;
    let prepared = cache.get(id);
    if (!prepared) {
      prepared = this.#prepareSource(source);
      // A failed preparation (a network blip) is tried again on the next call.
      prepared.catch(() => cache.delete(id));
      cache.set(id, prepared);
    }
    return prepared;
  }

  async #prepareSource(source: TeacherSource): Promise<Image> {
    if (!source.face) return this.#image(source.image);
    const bytes =
      source.image.kind === 'bytes'
        ? source.image.bytes
        : await getS3Bytes(this.#s3Client(), source.image.bucket, source.image.key, this.#maxDownload());
    return { Bytes: await prepareSourceBytes(bytes, source.face, this.#fitOptions()) };
  }

  async #image(image: TeacherImage): Promise<Image> {
    if (image.kind === 'bytes')
      return { Bytes: (await fitForRekognition(image.bytes, this.#fitOptions())).bytes };
    if (
      isRekognitionS3Format(image.key) &&
      (image.size === undefined || image.size <= RekognitionLimits.maxS3Bytes)
    ) {
      return { S3Object: { Bucket: image.bucket, Name: image.key } };
    }
    return { Bytes: await this.#downloadFitted(image.bucket, image.key) };
  }

  async #downloadFitted(bucket: string, key: string): Promise<Uint8Array> {
    const bytes = await getS3Bytes(this.#s3Client(), bucket, key, this.#maxDownload());
    return (await fitForRekognition(bytes, this.#fitOptions())).bytes;
  }

  #fitOptions() {
    return this.#options.maxPixels !== undefined ? { maxPixels: this.#options.maxPixels } : {};
  }

  #maxDownload(): number {
    return this.#options.maxDownloadBytes ?? 200 * 1024 * 1024;
  }

  #s3Client(): S3Client {
    this.#s3 ??= createS3Client(this.#options.region);
    return this.#s3;
  }
}

/** Every face Rekognition compared, boxes converted from fractions to the target's upright pixels. */
export const toTeacherFaces = (
  response: CompareFacesResponse,
  width: number,
  height: number,
): TeacherFace[] => {
  const faces: TeacherFace[] = [];
  const add = (
    box: { Left?: number; Top?: number; Width?: number; Height?: number } | undefined,
    similarity: number | undefined,
    confidence: number | undefined,
  ) => {
    if (
      box?.Left === undefined ||
      box.Top === undefined ||
      box.Width === undefined ||
      box.Height === undefined
    )
      return;
    faces.push({
      box: ratioBoxToPixels(
        { left: box.Left, top: box.Top, width: box.Width, height: box.Height },
        width,
        height,
      ),
      ...(similarity !== undefined ? { similarity } : {}),
      ...(confidence !== undefined ? { confidence } : {}),
    });
  };
  for (const m of response.FaceMatches ?? []) add(m.Face?.BoundingBox, m.Similarity, m.Face?.Confidence);
  for (const u of response.UnmatchedFaces ?? []) add(u.BoundingBox, undefined, u.Confidence);
  return faces;
};
