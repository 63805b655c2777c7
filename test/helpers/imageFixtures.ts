/**
 * Test-only image fixtures. The product's single sharp importer is core/image/decode.ts; tests
 * need encodings the product never writes (CMYK, 16-bit, EXIF orientation, AVIF…), so this
 * helper is the one test-side importer.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { Box } from '../../core/types.js';

export const SAMPLES_DIR = 'node_modules/@vladmandic/face-api/demo';
export const samplePath = (n: number): string => `${SAMPLES_DIR}/sample${n}.jpg`;

/** Faces per sample photo, counted by eye (each is a group photo of different women). */
export const SAMPLE_FACE_COUNTS = { 1: 3, 2: 3, 3: 3, 4: 4, 5: 5, 6: 4 } as const;

/** The middle woman in sample1 (face box measured on the 1920x1280 photo): the test "person". */
export const PERSON_BOX: Box = { x1: 408, y1: 352, x2: 598, y2: 588 };

export const cropAround = async (
  file: string,
  box: Box,
  options: { margin: number; size: number; brightness?: number; jpegQuality?: number },
): Promise<Buffer> => {
  const meta = await sharp(file).metadata();
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const half = ((box.y2 - box.y1) * (1 + options.margin)) / 2;
  const left = Math.max(0, Math.round(cx - half));
  const top = Math.max(0, Math.round(cy - half));
  const width = Math.min(meta.width! - left, Math.round(2 * half));
  const height = Math.min(meta.height! - top, Math.round(2 * half));
  return sharp(file)
    .extract({ left, top, width, height })
    .resize(options.size)
    .modulate({ brightness: options.brightness ?? 1 })
    .jpeg({ quality: options.jpegQuality ?? 90 })
    .toBuffer();
};

/** Pastes `face` (already encoded) onto a plain canvas at (left, top). */
export const pasteOnCanvas = async (
  face: Buffer,
  canvas: { width: number; height: number; left: number; top: number },
): Promise<Buffer> =>
  sharp({
    create: {
      width: canvas.width,
      height: canvas.height,
      channels: 3,
      background: { r: 90, g: 120, b: 150 },
    },
  })
    .composite([{ input: face, left: canvas.left, top: canvas.top }])
    .jpeg({ quality: 90 })
    .toBuffer();

export const rotated = async (file: string | Buffer, degrees: number): Promise<Buffer> =>
  sharp(file).rotate(degrees, { background: '#808080' }).jpeg({ quality: 92 }).toBuffer();

/** Pixels stored rotated 90° clockwise with EXIF orientation 8 saying "turn back": upright when honoured. */
export const withExifRotation = async (file: string): Promise<Buffer> =>
  sharp(file).rotate(90).withMetadata({ orientation: 8 }).jpeg({ quality: 92 }).toBuffer();

export const reencode = async (
  file: string,
  format: 'png' | 'webp' | 'tiff' | 'gif' | 'avif' | 'cmyk' | 'png16' | 'alpha' | 'grey' | 'jpeg-small',
): Promise<Buffer> => {
  const img = sharp(file);
  switch (format) {
    case 'png':
      return img.png().toBuffer();
    case 'webp':
      return img.webp({ quality: 90 }).toBuffer();
    case 'tiff':
      return img.tiff({ compression: 'lzw' }).toBuffer();
    case 'gif':
      return img.gif().toBuffer();
    case 'avif':
      return img.avif({ quality: 60, effort: 0 }).toBuffer();
    case 'cmyk':
      return img.toColourspace('cmyk').jpeg({ quality: 92 }).toBuffer();
    case 'png16':
      return img.toColourspace('rgb16').png().toBuffer();
    case 'alpha':
      return img.ensureAlpha(0.8).png().toBuffer();
    case 'grey':
      return img.greyscale().jpeg({ quality: 92 }).toBuffer();
    case 'jpeg-small':
      return img.resize(1280).jpeg({ quality: 70 }).toBuffer();
  }
};

export const noFacePhoto = (): Promise<Buffer> =>
  sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 30, g: 140, b: 60 } } })
    .composite([
      {
        input: Buffer.from(
          '<svg width="1200" height="800"><rect x="100" y="100" width="400" height="300" fill="#c84"/><circle cx="900" cy="500" r="180" fill="#48c"/></svg>',
        ),
      },
    ])
    .jpeg()
    .toBuffer();

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf: Buffer): number => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

/** A tiny valid-looking PNG whose header claims width x height: a decompression bomb's shape. */
export const pngBomb = (width: number, height: number): Buffer => {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
};
