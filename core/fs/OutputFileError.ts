import { MespotterError } from '../errors.js';

/** Why an output file was not written; whatever was at its path is left exactly as it was. */
export const OutputFileErrorCode = {
  /** Something is there and --force was not given. */
  Exists: 'output_exists',
  /** A symlink, FIFO, device or folder, or a file mespotter did not write: never replaced, even with --force. */
  NotReplaceable: 'output_not_replaceable',
} as const;
export type OutputFileErrorCode = (typeof OutputFileErrorCode)[keyof typeof OutputFileErrorCode];

export class OutputFileError extends MespotterError {
  constructor(code: OutputFileErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'OutputFileError';
  }
}
