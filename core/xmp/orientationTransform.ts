/**
 * EXIF orientation geometry. The engine works on the upright image (orientation applied, as sharp's
 * rotate() does); XMP face regions are relative to the image as stored in the file. Everything here
 * is in normalised coordinates (0..1 of the frame's width and height), so the stored and upright
 * pixel sizes only matter at the edges.
 */
import type { Box, Point } from '../types.js';

export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export const EXIF_ORIENTATIONS: readonly ExifOrientation[] = [1, 2, 3, 4, 5, 6, 7, 8];

/** A rectangle in normalised coordinates of one frame: top-left corner and size. */
export interface NormRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Reads an Orientation tag value; anything missing or out of range is 1 (as libvips does). */
export const toOrientation = (value: unknown): ExifOrientation => {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 8 ? (n as ExifOrientation) : 1;
};

/** Orientations 5..8 turn the picture a quarter turn, swapping width and height. */
export const swapsAxes = (o: ExifOrientation): boolean => o >= 5;

export const uprightSize = (
  storedWidth: number,
  storedHeight: number,
  o: ExifOrientation,
): { width: number; height: number } =>
  swapsAxes(o) ? { width: storedHeight, height: storedWidth } : { width: storedWidth, height: storedHeight };

/**
 * Where a stored-frame point lands once the orientation is applied. 2 mirrors, 3 turns 180°,
 * 4 flips, 5 transposes, 6 turns 90° clockwise, 7 transverses, 8 turns 90° counter-clockwise.
 */
export const storedToUprightPoint = (p: Point, o: ExifOrientation): Point => {
  const { x: u, y: v } = p;
  switch (o) {
    case 1:
      return { x: u, y: v };
    case 2:
      return { x: 1 - u, y: v };
    case 3:
      return { x: 1 - u, y: 1 - v };
    case 4:
      return { x: u, y: 1 - v };
    case 5:
      return { x: v, y: u };
    case 6:
      return { x: 1 - v, y: u };
    case 7:
      return { x: 1 - v, y: 1 - u };
    case 8:
      return { x: v, y: 1 - u };
  }
};

/** The inverse of storedToUprightPoint: 6 and 8 are each other's inverse, the rest their own. */
export const uprightToStoredPoint = (p: Point, o: ExifOrientation): Point =>
  storedToUprightPoint(p, o === 6 ? 8 : o === 8 ? 6 : o);

const mapRect = (rect: NormRect, map: (p: Point) => Point): NormRect => {
  const a = map({ x: rect.left, y: rect.top });
  const b = map({ x: rect.left + rect.width, y: rect.top + rect.height });
  const left = Math.min(a.x, b.x);
  const top = Math.min(a.y, b.y);
  return { left, top, width: Math.abs(a.x - b.x), height: Math.abs(a.y - b.y) };
};

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/** Keeps a rectangle inside its frame (detector boxes may reach past the edge). */
export const clampRect = (r: NormRect): NormRect => {
  const left = clamp01(r.left);
  const top = clamp01(r.top);
  return {
    left,
    top,
    width: clamp01(r.left + r.width) - left,
    height: clamp01(r.top + r.height) - top,
  };
};

/** An upright pixel box → the normalised rectangle it covers in the stored frame (clamped to it). */
export const uprightBoxToStoredRect = (
  box: Box,
  uprightWidth: number,
  uprightHeight: number,
  o: ExifOrientation,
): NormRect => {
  const upright = clampRect({
    left: box.x1 / uprightWidth,
    top: box.y1 / uprightHeight,
    width: (box.x2 - box.x1) / uprightWidth,
    height: (box.y2 - box.y1) / uprightHeight,
  });
  return mapRect(upright, (p) => uprightToStoredPoint(p, o));
};

/** A normalised stored-frame rectangle → the upright pixel box it covers. */
export const storedRectToUprightBox = (
  rect: NormRect,
  uprightWidth: number,
  uprightHeight: number,
  o: ExifOrientation,
): Box => {
  const r = mapRect(clampRect(rect), (p) => storedToUprightPoint(p, o));
  return {
    x1: r.left * uprightWidth,
    y1: r.top * uprightHeight,
    x2: (r.left + r.width) * uprightWidth,
    y2: (r.top + r.height) * uprightHeight,
  };
};

/** A normalised rectangle as a Box with the same numbers, for IoU in normalised space. */
export const rectAsBox = (r: NormRect): Box => ({
  x1: r.left,
  y1: r.top,
  x2: r.left + r.width,
  y2: r.top + r.height,
});
