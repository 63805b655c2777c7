/**
 * Tiny JPEG -> RGB helper for the face-api peer, and its only use of sharp.
 *
 * The WASM build of face-api has no image decoder in Node: tfjs' `tf.node.decodeImage` exists
 * only in @tensorflow/tfjs-node, and face-api's own `bufferToImage` needs a browser Image/canvas.
 * sharp is already a project dependency, so the peer decodes with it, with the same global
 * settings the project's core/image/decode.ts uses, so neither side gets a different libvips.
 */
import sharp from 'sharp';

sharp.concurrency(1);
sharp.cache(false);

export interface RgbPixels {
  /** Interleaved 8-bit RGB, row-major, height * width * 3 bytes. */
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Decodes an image file to upright (EXIF applied) 8-bit sRGB. When maxSide is given, the long side
 * is shrunk to at most maxSide (never enlarged).
 */
export async function decodeRgb(path: string, maxSide?: number): Promise<RgbPixels> {
  let pipeline = sharp(path, { failOn: 'truncated', pages: 1 }).rotate();
  if (maxSide !== undefined) {
    pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
  }
  const { data, info } = await pipeline
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3)
    throw new Error(`decodeRgb: expected 3 channels, got ${info.channels} for ${path}`);
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}
