/** Base class of every error mespotter raises on purpose; `code` is stable and machine-readable. */
export class MespotterError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MespotterError';
    this.code = code;
  }
}

/** Why a photo could not be analysed; these codes end up in results.jsonl. */
export const ImageErrorCode = {
  Empty: 'empty_file',
  TooLarge: 'file_too_large',
  TooManyPixels: 'too_many_pixels',
  Unsupported: 'unsupported_format',
  Corrupt: 'corrupt_image',
  Unreadable: 'unreadable',
  Vanished: 'vanished',
  SymlinkLoop: 'symlink_loop',
} as const;
export type ImageErrorCode = (typeof ImageErrorCode)[keyof typeof ImageErrorCode];

export class ImageError extends MespotterError {
  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ImageError';
  }
}

export class ModelError extends MespotterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('model_error', message, options);
    this.name = 'ModelError';
  }
}

export class GalleryError extends MespotterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('gallery_error', message, options);
    this.name = 'GalleryError';
  }
}

export class ConfigError extends MespotterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config_error', message, options);
    this.name = 'ConfigError';
  }
}
