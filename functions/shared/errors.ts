import { MespotterError } from '../../core/errors.js';

/** Why a cloud step refused its input; permanent, so the message is not retried. */
export const CloudErrorCode = {
  BadMessage: 'bad_message',
  BadManifest: 'bad_manifest',
  MissingEnv: 'missing_env',
  OtherBucket: 'other_bucket',
} as const;
export type CloudErrorCode = (typeof CloudErrorCode)[keyof typeof CloudErrorCode];

export class CloudError extends MespotterError {
  constructor(code: CloudErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CloudError';
  }
}
