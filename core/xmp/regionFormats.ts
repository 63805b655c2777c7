/**
 * The two face-region encodings. MWG (`mwg-rs:Area`): x, y = centre, w, h, unit "normalized".
 * Microsoft People Tagging (`MPReg:Rectangle`): "x, y, w, h" with x, y = top-left. Both are
 * normalised to the stored image. Numbers are written as strings with at most 6 decimals so that
 * the same box always produces the same bytes (idempotent re-runs).
 */
import type { NormRect } from './orientationTransform.js';

/** The MWG Area struct as exiftool reads and writes it (values as strings). */
export interface MwgArea {
  X: string;
  Y: string;
  W: string;
  H: string;
  Unit: 'normalized';
}

/** Fixed 6 decimals, trailing zeros dropped: 0.5 → "0.5", 1/3 → "0.333333", -0 → "0". */
export const formatUnit = (v: number): string => {
  const s = v.toFixed(6).replace(/\.?0+$/, '');
  return s === '-0' || s === '' ? '0' : s;
};

const num = (v: unknown): number | undefined => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

export const rectToMwgArea = (r: NormRect): MwgArea => ({
  X: formatUnit(r.left + r.width / 2),
  Y: formatUnit(r.top + r.height / 2),
  W: formatUnit(r.width),
  H: formatUnit(r.height),
  Unit: 'normalized',
});

/**
 * Reads an MWG Area struct; undefined when it is not a usable normalised box (missing fields,
 * non-numbers, a pixel unit, zero or negative size).
 */
export const mwgAreaToRect = (area: unknown): NormRect | undefined => {
  if (typeof area !== 'object' || area === null) return undefined;
  const a = area as Record<string, unknown>;
  const unit = typeof a['Unit'] === 'string' ? a['Unit'] : 'normalized';
  if (unit !== 'normalized') return undefined;
  const x = num(a['X']);
  const y = num(a['Y']);
  const w = num(a['W']);
  const h = num(a['H']);
  if (x === undefined || y === undefined || w === undefined || h === undefined || w <= 0 || h <= 0) {
    return undefined;
  }
  return { left: x - w / 2, top: y - h / 2, width: w, height: h };
};

export const formatMpRectangle = (r: NormRect): string =>
  [r.left, r.top, r.width, r.height].map(formatUnit).join(', ');

/** Reads "x, y, w, h" (spaces optional); undefined when malformed or empty. */
export const parseMpRectangle = (value: unknown): NormRect | undefined => {
  if (typeof value !== 'string') return undefined;
  const parts = value.split(',').map((p) => num(p));
  if (parts.length !== 4 || parts.some((p) => p === undefined)) return undefined;
  const [left, top, width, height] = parts as [number, number, number, number];
  if (width <= 0 || height <= 0) return undefined;
  return { left, top, width, height };
};
