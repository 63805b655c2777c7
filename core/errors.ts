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
  /** A FIFO, device, socket or folder where a photo file was expected. */
  NotRegular: 'not_regular_file',
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

/** Another run holds the folder this run needs. */
export class LockedError extends MespotterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('locked', message, options);
    this.name = 'LockedError';
  }
}

/** A folder given to a command cannot be used as asked (missing, a file, inside the input, not ours). */
export class FolderError extends MespotterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('folder_error', message, options);
    this.name = 'FolderError';
  }
}

/** Why face tags (XMP) could not be read or written; the file concerned is always left as it was. */
export const XmpErrorCode = {
  PerlMissing: 'perl_missing',
  PhotoUnreadable: 'photo_unreadable',
  SidecarMalformed: 'sidecar_malformed',
  SidecarUnreadable: 'sidecar_unreadable',
  SidecarAmbiguous: 'sidecar_ambiguous',
  ReadOnly: 'read_only',
  EmbeddedXmpCorrupt: 'embedded_xmp_corrupt',
  InPlaceUnsupported: 'in_place_unsupported',
  InPlaceUnverifiable: 'in_place_unverifiable',
  PixelsChanged: 'pixels_changed',
  WouldLoseData: 'would_lose_data',
  ChangedDuringWrite: 'changed_during_write',
  DimensionMismatch: 'dimension_mismatch',
  InvalidName: 'invalid_name',
  InvalidFace: 'invalid_face',
  InvalidOption: 'invalid_option',
  /** A file the write needs (sidecar, backup) would have a name longer than file systems allow. */
  NameTooLong: 'name_too_long',
  ExifToolFailed: 'exiftool_failed',
} as const;
export type XmpErrorCode = (typeof XmpErrorCode)[keyof typeof XmpErrorCode];

export class XmpError extends MespotterError {
  constructor(code: XmpErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'XmpError';
  }
}

/** The people library cannot be opened, read or changed as asked. */
export class LibraryError extends MespotterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('library_error', message, options);
    this.name = 'LibraryError';
  }
}
