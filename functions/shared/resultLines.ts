import { MespotterError } from '../../core/errors.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import { PhotoStatus, type ResultLine } from '../../core/report/resultLine.js';
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

/** Only our own errors (bad image, bad message) are final; anything else (S3, network) is retried. */
export const isPermanent = (error: unknown): error is MespotterError => error instanceof MespotterError;
