/** The only module that touches sharp: every decode and encode goes through here. */
import sharp from 'sharp';
import { ImageError, ImageErrorCode } from '../errors.js';
import type { RgbImage } from '../types.js';
import { isPnm, parsePnm } from './pnm.js';

// The CLI runs several lanes itself; libvips' own thread pool per image would oversubscribe 2 cores.
sharp.concurrency(1);
// Cache is for repeated operations on the same file; we decode each photo once.
sharp.cache(false);

export interface DecodeOptions {
  /** Long side of the returned image; larger photos are shrunk (on load, for JPEG). */
  maxSide: number;
  /** Refuse images with more pixels than this (decompression bombs). */
  maxPixels: number;
}

export interface DecodedImage {
  /** RGB pixels at analysis resolution, upright (EXIF orientation applied). */
  image: RgbImage;
  /** Upright size of the full-resolution photo. */
  originalWidth: number;
  originalHeight: number;
  /** image.width / originalWidth. */
  scale: number;
  format: string;
}

/** Maps libvips' messages onto stable reasons a user can act on. */
const classify = (error: unknown): ImageError => {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new ImageError(ImageErrorCode.TooManyPixels, `image too large: ${message}`, { cause: error });
  }
  if (/unsupported|bad seek|not a known file format|not been built/i.test(message)) {
    return new ImageError(ImageErrorCode.Unsupported, `not an image sharp can read: ${message}`, {
      cause: error,
    });
  }
  return new ImageError(ImageErrorCode.Corrupt, `corrupt or truncated image: ${message}`, { cause: error });
};

/** EXIF orientations 5..8 swap width and height once applied. */
const orientedSize = (meta: sharp.Metadata): { width: number; height: number } => {
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  return (meta.orientation ?? 1) >= 5 ? { width: h, height: w } : { width: w, height: h };
};

export const decodeImage = async (input: Uint8Array, options: DecodeOptions): Promise<DecodedImage> => {
  if (input.byteLength === 0) throw new ImageError(ImageErrorCode.Empty, 'empty file (0 bytes)');
  let sharpOptions: sharp.SharpOptions = {
    limitInputPixels: options.maxPixels,
    // Truncated files are errors; libvips warnings on otherwise readable files are not.
    failOn: 'truncated',
    pages: 1,
  };
  if (isPnm(input)) {
    const pnm = parsePnm(input);
    if (!pnm) throw new ImageError(ImageErrorCode.Corrupt, 'corrupt or truncated PGM/PPM image');
    input = pnm.data;
    sharpOptions = { ...sharpOptions, raw: { width: pnm.width, height: pnm.height, channels: pnm.channels } };
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input, sharpOptions).metadata();
  } catch (error) {
    throw classify(error);
  }
  const { width: originalWidth, height: originalHeight } = orientedSize(meta);
  if (!originalWidth || !originalHeight)
    throw new ImageError(ImageErrorCode.Corrupt, 'image has no dimensions');
  if (originalWidth * originalHeight > options.maxPixels) {
    throw new ImageError(
      ImageErrorCode.TooManyPixels,
      `image too large: ${originalWidth}x${originalHeight} exceeds ${options.maxPixels} pixels`,
    );
  }
  const scale = snapToShrinkOnLoad(Math.min(1, options.maxSide / Math.max(originalWidth, originalHeight)));
  const width = Math.max(1, Math.round(originalWidth * scale));
  const height = Math.max(1, Math.round(originalHeight * scale));
  try {
    const { data, info } = await sharp(input, sharpOptions)
      .rotate()
      .resize({ width, height, fit: 'fill' })
      // Transparent areas become white rather than whatever colour hides under alpha 0.
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const rgb = info.channels === 3 ? data : toRgb(data, info.channels);
    return {
      image: {
        data: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength),
        width: info.width,
        height: info.height,
      },
      originalWidth,
      originalHeight,
      scale: info.width / originalWidth,
      format: meta.format ?? 'unknown',
    };
  } catch (error) {
    throw classify(error);
  }
};

/**
 * libjpeg decodes at 1/2, 1/4 or 1/8 size almost for free; a target slightly above one of those
 * forces a full decode plus a resize (12 MP at 2048 px: 174 ms, at 2016 px: 117 ms). Targets
 * within 15 % above such a factor are moved down to it.
 */
export const snapToShrinkOnLoad = (scale: number): number => {
  for (const factor of [0.5, 0.25, 0.125]) if (scale > factor && scale < factor * 1.15) return factor;
  return scale;
};

const toRgb = (data: Uint8Array, channels: number): Uint8Array => {
  const pixels = data.length / channels;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const v = data[i * channels]!;
    // One channel is grey; two is grey + alpha (already flattened).
    out[i * 3] = v;
    out[i * 3 + 1] = channels >= 3 ? data[i * channels + 1]! : v;
    out[i * 3 + 2] = channels >= 3 ? data[i * channels + 2]! : v;
  }
  return out;
};

/** Area-averaged resize of an in-memory RGB image (used to build the detector's image pyramid). */
export const resizeRgb = async (image: RgbImage, width: number, height: number): Promise<RgbImage> => {
  if (width === image.width && height === image.height) return image;
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize({ width, height, fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
};

/** JPEG-encodes an in-memory RGB image, optionally shrunk so its long side is at most maxSide. */
export const encodeJpeg = async (
  image: RgbImage,
  options: { quality?: number; maxSide?: number } = {},
): Promise<{ jpeg: Buffer; width: number; height: number }> => {
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (options.maxSide && Math.max(image.width, image.height) > options.maxSide) {
    pipeline = pipeline.resize({ width: options.maxSide, height: options.maxSide, fit: 'inside' });
  }
  const { data, info } = await pipeline
    .jpeg({ quality: options.quality ?? 82 })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
};
