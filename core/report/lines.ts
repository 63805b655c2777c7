import { MespotterError } from '../errors.js';
import { PhotoStatus, type ResultLine } from './resultLine.js';

interface PathFields {
  path: string;
  rawPath?: string;
}

/** The line of a file that is not analysed (not a photo, a folder seen twice, outside the run). */
export const skippedLine = (at: PathFields, reason: string, code = 'skipped'): ResultLine => ({
  ...at,
  status: PhotoStatus.Skipped,
  people: [],
  reason,
  code,
  faces: [],
});

/** `code` and `reason` of an error: ours carry a stable code; anything else is an internal error. */
export const errorFields = (error: unknown): { code: string; reason: string } =>
  error instanceof MespotterError
    ? { code: error.code, reason: error.message }
    : { code: 'internal_error', reason: error instanceof Error ? error.message : String(error) };

/** The line of a file that could not be read or analysed, with its reason. */
export const errorLine = (at: PathFields, error: unknown): ResultLine => ({
  ...at,
  status: PhotoStatus.Error,
  people: [],
  faces: [],
  ...errorFields(error),
});
