import { ImageErrorCode, MespotterError } from '../../core/errors.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import { PhotoStatus, type ResultLine } from '../../core/report/resultLine.js';
import { CloudErrorCode } from './errors.js';
import { resultLinesKey } from './keys.js';
import { putText } from './s3Objects.js';

/** `person` of a line whose outcome does not depend on who is searched (skipped, unreadable). */
export const ANY_PERSON = '*';

/** Writes a photo's lines (one per person) as one object; a retry overwrites, never duplicates. */
export const writeResultLines = async (
  bucket: string,
  runId: string,
  key: string,
  lines: readonly ResultLine[],
): Promise<void> => {
  const body = lines.map((l) => JSON.stringify(l)).join('\n');
  await putText(bucket, resultLinesKey(runId, key), `${body}\n`, 'application/x-ndjson');
};

export const skippedLine = (key: string, reason: string, code = 'skipped'): ResultLine => ({
  path: key,
  status: PhotoStatus.Skipped,
  person: ANY_PERSON,
  reason,
  code,
  threshold: DEFAULT_THRESHOLD,
  faces: [],
});

export const errorLine = (key: string, error: unknown): ResultLine => ({
  path: key,
  status: PhotoStatus.Error,
  person: ANY_PERSON,
  threshold: DEFAULT_THRESHOLD,
  faces: [],
  ...(error instanceof MespotterError
    ? { code: error.code, reason: error.message }
    : { code: 'internal_error', reason: error instanceof Error ? error.message : String(error) }),
});

/**
 * The only failures that become a photo's outcome: faults of the photo or of the input naming it,
 * which no retry can change. Everything else (configuration, models, throttling, network, S3 5xx,
 * an unreadable body) is thrown, retried by SQS and ends in the DLQ, to be redriven once fixed.
 * `unreadable` and `symlink_loop` are left out: in the bucket they mean a transfer or listing
 * problem, not a bad photo.
 */
export const PERMANENT_CODES: ReadonlySet<string> = new Set<string>([
  ImageErrorCode.Empty,
  ImageErrorCode.TooLarge,
  ImageErrorCode.TooManyPixels,
  ImageErrorCode.Unsupported,
  ImageErrorCode.Corrupt,
  ImageErrorCode.Vanished,
  CloudErrorCode.BadMessage,
  CloudErrorCode.BadManifest,
  CloudErrorCode.OtherBucket,
]);

/** True only for an error whose code is on the allow-list above, whatever class it has. */
export const isPermanent = (error: unknown): error is MespotterError =>
  error instanceof MespotterError && PERMANENT_CODES.has(error.code);
