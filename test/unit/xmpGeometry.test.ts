import { describe, expect, it } from 'vitest';
import { seededRng } from '../../core/util/seededRng.js';
import {
  EXIF_ORIENTATIONS,
  storedRectToUprightBox,
  storedToUprightPoint,
  toOrientation,
  uprightBoxToStoredRect,
  uprightSize,
  uprightToStoredPoint,
} from '../../core/xmp/orientationTransform.js';
import {
  formatMpRectangle,
  formatUnit,
  mwgAreaToRect,
  parseMpRectangle,
  rectToMwgArea,
} from '../../core/xmp/regionFormats.js';

describe('orientation transform', () => {
  // Where the stored image's top-left pixel ends up once shown upright (EXIF spec, "0th row / 0th column").
  const storedTopLeftShownAt = {
    1: { x: 0, y: 0 },
    2: { x: 1, y: 0 },
    3: { x: 1, y: 1 },
    4: { x: 0, y: 1 },
    5: { x: 0, y: 0 },
    6: { x: 1, y: 0 },
    7: { x: 1, y: 1 },
    8: { x: 0, y: 1 },
  } as const;
  // And its top-right pixel (tells a mirror from a turn).
  const storedTopRightShownAt = {
    1: { x: 1, y: 0 },
    2: { x: 0, y: 0 },
    3: { x: 0, y: 1 },
    4: { x: 1, y: 1 },
    5: { x: 0, y: 1 },
    6: { x: 1, y: 1 },
    7: { x: 1, y: 0 },
    8: { x: 0, y: 0 },
  } as const;

  it.each(EXIF_ORIENTATIONS)('orientation %i moves the stored corners where the EXIF spec says', (o) => {
    expect(storedToUprightPoint({ x: 0, y: 0 }, o)).toEqual(storedTopLeftShownAt[o]);
    expect(storedToUprightPoint({ x: 1, y: 0 }, o)).toEqual(storedTopRightShownAt[o]);
  });

  it.each(EXIF_ORIENTATIONS)('orientation %i: upright → stored → upright is the identity', (o) => {
    const rng = seededRng(o);
    for (let i = 0; i < 50; i++) {
      const p = { x: rng(), y: rng() };
      const back = storedToUprightPoint(uprightToStoredPoint(p, o), o);
      expect(back.x).toBeCloseTo(p.x, 12);
      expect(back.y).toBeCloseTo(p.y, 12);
    }
  });

  it.each(EXIF_ORIENTATIONS)(
    'orientation %i: a box survives the round trip through the stored frame',
    (o) => {
      const up = uprightSize(4000, 3000, o);
      const box = { x1: 100, y1: 250, x2: 700, y2: 1000 };
      const rect = uprightBoxToStoredRect(box, up.width, up.height, o);
      expect(rect.width).toBeGreaterThan(0);
      const back = storedRectToUprightBox(rect, up.width, up.height, o);
      for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(back[k]).toBeCloseTo(box[k], 6);
    },
  );

  it('orientation 6 (turned 90° clockwise for display): the upright left edge is the stored bottom edge', () => {
    // Upright 3000x4000 (portrait), stored 4000x3000. A box on the upright left edge, top half.
    const rect = uprightBoxToStoredRect({ x1: 0, y1: 0, x2: 300, y2: 2000 }, 3000, 4000, 6);
    expect(rect.left).toBeCloseTo(0, 9);
    expect(rect.top).toBeCloseTo(0.9, 9);
    expect(rect.width).toBeCloseTo(0.5, 9);
    expect(rect.height).toBeCloseTo(0.1, 9);
  });

  it('swaps width and height for 5..8 only', () => {
    expect(uprightSize(40, 30, 1)).toEqual({ width: 40, height: 30 });
    expect(uprightSize(40, 30, 4)).toEqual({ width: 40, height: 30 });
    expect(uprightSize(40, 30, 5)).toEqual({ width: 30, height: 40 });
    expect(uprightSize(40, 30, 8)).toEqual({ width: 30, height: 40 });
  });

  it('clamps boxes that reach past the image edge', () => {
    const rect = uprightBoxToStoredRect({ x1: -50, y1: 900, x2: 50, y2: 1100 }, 1000, 1000, 1);
    expect(rect.left).toBe(0);
    expect(rect.width).toBeCloseTo(0.05, 12);
    expect(rect.top).toBeCloseTo(0.9, 12);
    expect(rect.top + rect.height).toBe(1);
  });

  it('reads Orientation values, defaulting to 1', () => {
    expect(toOrientation(6)).toBe(6);
    expect(toOrientation('8')).toBe(8);
    expect(toOrientation(undefined)).toBe(1);
    expect(toOrientation(9)).toBe(1);
    expect(toOrientation('Rotate 90 CW')).toBe(1);
  });
});

describe('region formats', () => {
  const rect = { left: 0.1, top: 0.2, width: 0.3, height: 0.4 };

  it('MWG Area is the centre and the size', () => {
    expect(rectToMwgArea(rect)).toEqual({ X: '0.25', Y: '0.4', W: '0.3', H: '0.4', Unit: 'normalized' });
    const back = mwgAreaToRect(rectToMwgArea(rect))!;
    expect(back.left).toBeCloseTo(0.1, 9);
    expect(back.top).toBeCloseTo(0.2, 9);
  });

  it('MP Rectangle is the top-left corner and the size', () => {
    expect(formatMpRectangle(rect)).toBe('0.1, 0.2, 0.3, 0.4');
    expect(parseMpRectangle('0.1,0.2 ,0.3, 0.4')).toEqual(rect);
  });

  it('rejects unusable areas and rectangles', () => {
    expect(mwgAreaToRect({ X: '0.5', Y: '0.5', W: '0', H: '0.1' })).toBeUndefined();
    expect(mwgAreaToRect({ X: '0.5', Y: '0.5', W: '10', H: '10', Unit: 'pixel' })).toBeUndefined();
    expect(mwgAreaToRect({ X: 'a', Y: '0.5', W: '0.1', H: '0.1' })).toBeUndefined();
    expect(mwgAreaToRect('0.5')).toBeUndefined();
    expect(parseMpRectangle('0.1, 0.2, 0.3')).toBeUndefined();
    expect(parseMpRectangle('0.1, 0.2, , 0.3')).toBeUndefined();
    expect(parseMpRectangle(undefined)).toBeUndefined();
  });

  it('formats numbers the same way every time: 6 decimals, no trailing zeros', () => {
    expect(formatUnit(0.5)).toBe('0.5');
    expect(formatUnit(1 / 3)).toBe('0.333333');
    expect(formatUnit(0)).toBe('0');
    expect(formatUnit(-0.0000001)).toBe('0');
    expect(formatUnit(1)).toBe('1');
    expect(formatUnit(0.1 + 0.2)).toBe('0.3');
  });
});
