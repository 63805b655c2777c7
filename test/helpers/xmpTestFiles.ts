/** Small file helpers for the XMP tests: a fresh folder per test, hashes, and tolerance checks. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { NormRect } from '../../core/xmp/orientationTransform.js';

export const freshDir = (prefix = 'xmp-'): string => mkdtempSync(join(tmpdir(), prefix));

export const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Bytes and mtime: what "left exactly as it was" means for a file. */
export const fingerprint = (file: string): { sha: string; mtimeMs: number; size: number } => {
  const s = statSync(file);
  return { sha: sha256(file), mtimeMs: s.mtimeMs, size: s.size };
};

/** Every entry of a folder (hidden temp files included), sorted. */
export const listDir = (dir: string): string[] => readdirSync(dir).sort();

/** Normalised values agree within `tol` of the image size (1 % by default). */
export const expectRectNear = (actual: NormRect, expected: NormRect, tol = 0.01): void => {
  for (const k of ['left', 'top', 'width', 'height'] as const) {
    expect(Math.abs(actual[k] - expected[k]), `${k}: ${actual[k]} vs ${expected[k]}`).toBeLessThanOrEqual(
      tol,
    );
  }
};

/** MWG Area (centre) read raw by exiftool → top-left rectangle; written here, not imported. */
export const mwgRawToRect = (area: Record<string, unknown>): NormRect => {
  const x = Number(area['X']);
  const y = Number(area['Y']);
  const w = Number(area['W']);
  const h = Number(area['H']);
  return { left: x - w / 2, top: y - h / 2, width: w, height: h };
};

export const mpRawToRect = (rectangle: unknown): NormRect => {
  const [left, top, width, height] = String(rectangle).split(',').map(Number) as [
    number,
    number,
    number,
    number,
  ];
  return { left, top, width, height };
};
