/**
 * Image plumbing for the accuracy benchmark: file listing, hashing, the PGM reader ORL needs
 * (libvips as shipped with sharp cannot read PGM) and padding for tight crops.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DecodedImage } from '../../core/image/decode.js';
import { padReplicate } from '../../core/image/padReplicate.js';
import type { RgbImage } from '../../core/types.js';

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export const exists = async (path: string): Promise<boolean> => {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
};

/** Sub-directories of `dir`, sorted by name (deterministic order everywhere). */
export const listDirs = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
};

/** Files in `dir` whose names end with one of `exts` (case-insensitive), sorted naturally. */
export const listFiles = async (dir: string, exts: readonly string[]): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && exts.some((x) => e.name.toLowerCase().endsWith(x)))
    .map((e) => join(dir, e.name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
};

/** Binary (P5) or ASCII (P2) greyscale PGM, 8-bit or 16-bit, to interleaved RGB. */
export const decodePgm = (bytes: Uint8Array): RgbImage => {
  let i = 0;
  const isSpace = (c: number | undefined): boolean => c === 32 || c === 9 || c === 10 || c === 13;
  const token = (): string => {
    for (;;) {
      while (i < bytes.length && isSpace(bytes[i])) i++;
      if (bytes[i] === 35) {
        while (i < bytes.length && bytes[i] !== 10) i++;
        continue;
      }
      break;
    }
    let s = '';
    while (i < bytes.length && !isSpace(bytes[i])) s += String.fromCharCode(bytes[i++]!);
    return s;
  };
  const magic = token();
  if (magic !== 'P5' && magic !== 'P2') throw new Error(`not a PGM file (magic "${magic}")`);
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  if (!(width > 0 && height > 0 && maxval > 0 && maxval < 65536)) throw new Error('bad PGM header');
  const n = width * height;
  const grey = new Uint8Array(n);
  if (magic === 'P5') {
    i++; // exactly one whitespace byte after maxval
    const wide = maxval > 255;
    if (i + n * (wide ? 2 : 1) > bytes.length) throw new Error('truncated PGM');
    for (let k = 0; k < n; k++) {
      const v = wide ? (bytes[i + 2 * k]! << 8) | bytes[i + 2 * k + 1]! : bytes[i + k]!;
      grey[k] = Math.round((v * 255) / maxval);
    }
  } else {
    for (let k = 0; k < n; k++) grey[k] = Math.round((Number(token()) * 255) / maxval);
  }
  const data = new Uint8Array(n * 3);
  for (let k = 0; k < n; k++) data[3 * k] = data[3 * k + 1] = data[3 * k + 2] = grey[k]!;
  return { data, width, height };
};

/**
 * Pads an image on every side by `fraction` of its long side, replicating the edge pixels, so a
 * face that fills the frame gets the context a detector expects.
 */
export const padImage = (img: RgbImage, fraction: number): RgbImage => {
  const p = Math.round(Math.max(img.width, img.height) * fraction);
  return padReplicate(img, p, p);
};

/** Wraps in-memory pixels as a decoded photo at analysis scale 1. */
export const asDecoded = (image: RgbImage, format: string): DecodedImage => ({
  image,
  originalWidth: image.width,
  originalHeight: image.height,
  scale: 1,
  format,
});
