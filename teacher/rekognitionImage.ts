import { ImageError, ImageErrorCode } from '../core/errors.js';
import { decodeImage, encodeJpeg } from '../core/image/decode.js';
import { cropRgb, faceRegion } from '../core/teacher/cropRgb.js';
import type { Box } from '../core/types.js';

/**
 * Rekognition's image limits. AWS writes "5 MB" and "15 MB"; decimal megabytes are the safe
 * reading (they are the smaller), so an image between the two readings is re-encoded rather
 * than refused.
 */
export const RekognitionLimits = {
  /** Image passed as bytes (before the SDK's base64). */
  maxBytes: 5_000_000,
  /** Image read from S3 by Rekognition. */
  maxS3Bytes: 15_000_000,
  /** Smallest width and height it accepts. */
  minSide: 80,
} as const;

/** Long side the re-encoder starts from: faces keep plenty of pixels, the file shrinks a lot. */
const REENCODE_MAX_SIDE = 4096;
const REENCODE_STEPS = [
  { scale: 1, quality: 90 },
  { scale: 0.75, quality: 85 },
  { scale: 0.56, quality: 80 },
  { scale: 0.42, quality: 75 },
  { scale: 0.32, quality: 70 },
] as const;
/** A cropped reference is sent with every call: keep it small. */
const SOURCE_MAX_SIDE = 1024;

export type SniffedFormat = 'jpeg' | 'png' | 'other';

/** JPEG and PNG are all Rekognition reads; anything else (WebP, HEIC, TIFF, PGM…) is re-encoded. */
export const sniffFormat = (bytes: Uint8Array): SniffedFormat => {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (
    bytes.length >= 8 &&
    bytes[0] === 0x89 &&
    bytes[1] === 0x50 &&
    bytes[2] === 0x4e &&
    bytes[3] === 0x47 &&
    bytes[4] === 0x0d &&
    bytes[5] === 0x0a &&
    bytes[6] === 0x1a &&
    bytes[7] === 0x0a
  )
    return 'png';
  return 'other';
};

/** True for keys Rekognition can read straight from S3 (by extension: a HEAD would cost a request). */
export const isRekognitionS3Format = (key: string): boolean => /\.(jpe?g|png)$/i.test(key);

export interface FittedImage {
  bytes: Uint8Array;
  reencoded: boolean;
}

export interface FitOptions {
  maxBytes?: number;
  /** Decompression-bomb guard for the decode. */
  maxPixels?: number;
}

/**
 * Returns bytes Rekognition accepts: JPEG or PNG within `maxBytes` pass through untouched;
 * anything else is decoded upright (EXIF applied, so boxes stay in upright pixels) and written
 * as JPEG, shrinking side and quality step by step until it fits.
 */
export const fitForRekognition = async (
  bytes: Uint8Array,
  options: FitOptions = {},
): Promise<FittedImage> => {
  const maxBytes = options.maxBytes ?? RekognitionLimits.maxBytes;
  if (sniffFormat(bytes) !== 'other' && bytes.byteLength <= maxBytes) return { bytes, reencoded: false };
  const { image } = await decodeImage(bytes, {
    maxSide: REENCODE_MAX_SIDE,
    maxPixels: options.maxPixels ?? 100_000_000,
  });
  const longSide = Math.max(image.width, image.height);
  for (const step of REENCODE_STEPS) {
    const maxSide = Math.max(RekognitionLimits.minSide, Math.round(longSide * step.scale));
    const { jpeg } = await encodeJpeg(image, { quality: step.quality, maxSide });
    if (jpeg.byteLength <= maxBytes) return { bytes: jpeg, reencoded: true };
  }
  throw new ImageError(
    ImageErrorCode.TooLarge,
    `cannot bring the image under ${maxBytes} bytes for Rekognition, even at reduced size`,
  );
};

/**
 * The reference as Rekognition should see it: only the reference face with some context, so its
 * "largest face in the source" is the one we mean, and a small JPEG to send with every call.
 * A face too small to crop (under Rekognition's 80 px minimum) sends the whole photo instead.
 */
export const prepareSourceBytes = async (
  bytes: Uint8Array,
  face: Box | undefined,
  options: FitOptions = {},
): Promise<Uint8Array> => {
  if (!face) return (await fitForRekognition(bytes, options)).bytes;
  const decoded = await decodeImage(bytes, {
    maxSide: REENCODE_MAX_SIDE,
    maxPixels: options.maxPixels ?? 100_000_000,
  });
  const s = decoded.scale;
  const region = faceRegion(
    { x1: face.x1 * s, y1: face.y1 * s, x2: face.x2 * s, y2: face.y2 * s },
    decoded.image.width,
    decoded.image.height,
  );
  const crop = cropRgb(decoded.image, region);
  if (Math.min(crop.width, crop.height) < RekognitionLimits.minSide)
    return (await fitForRekognition(bytes, options)).bytes;
  const { jpeg } = await encodeJpeg(crop, { quality: 92, maxSide: SOURCE_MAX_SIDE });
  return jpeg;
};
