import { MespotterError } from '../../core/errors.js';

/** Why a cloud step refused its input: faults of the input itself, which no retry can change. */
export const CloudErrorCode = {
  BadMessage: 'bad_message',
  BadManifest: 'bad_manifest',
  OtherBucket: 'other_bucket',
} as const;
export type CloudErrorCode = (typeof CloudErrorCode)[keyof typeof CloudErrorCode];

export class CloudError extends MespotterError {
  constructor(code: CloudErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CloudError';
  }
}
