import { describe, expect, it } from 'vitest';
import {
  type DetectorPass,
  gridLevels,
  letterboxScale,
  planPasses,
  type TilePlanOptions,
  tileStarts,
} from '../../core/detect/tilePlan.js';

/** The detector's 320x240 input with the engine's default detection settings. */
const defaults: Omit<TilePlanOptions, 'analysisScale'> = {
  inputWidth: 320,
  inputHeight: 240,
  minFaceSize: 48,
  detectorMinFace: 15,
  maxGrid: 4,
  tileOverlap: 0.25,
};

/** Counts the working-image pixels no tile covers. */
const uncoveredPixels = (pass: DetectorPass): number => {
  const covered = new Uint8Array(pass.width * pass.height);
  for (const t of pass.tiles) {
    for (let y = t.y; y < t.y + t.height; y++)
      covered.fill(1, y * pass.width + t.x, y * pass.width + t.x + t.width);
  }
  return covered.reduce((n, c) => n + (c === 0 ? 1 : 0), 0);
};

const expectTilesInside = (pass: DetectorPass, inputWidth: number, inputHeight: number): void => {
  for (const t of pass.tiles) {
    expect(t.width).toBeLessThanOrEqual(inputWidth);
    expect(t.height).toBeLessThanOrEqual(inputHeight);
    expect(t.x).toBeGreaterThanOrEqual(0);
    expect(t.y).toBeGreaterThanOrEqual(0);
    expect(t.x + t.width).toBeLessThanOrEqual(pass.width);
    expect(t.y + t.height).toBeLessThanOrEqual(pass.height);
  }
};

describe('Function: letterboxScale', () => {
  it('is limited by the height for a wide 16:9 image in a 4:3 input', () => {
    // Prepare
    const [w, h] = [1920, 1080];

    // Act
    const scale = letterboxScale(w, h, 320, 240);

    // Assess: min(320/1920, 240/1080) = 1/6.
    expect(scale).toBeCloseTo(1 / 6, 15);
  });

  it('is limited by the height for a portrait image', () => {
    // Prepare
    const [w, h] = [1080, 1920];

    // Act
    const scale = letterboxScale(w, h, 320, 240);

    // Assess
    expect(scale).toBe(0.125);
  });

  it('enlarges an image smaller than the input', () => {
    // Prepare
    const [w, h] = [160, 60];

    // Act
    const scale = letterboxScale(w, h, 320, 240);

    // Assess
    expect(scale).toBe(2);
  });
});

describe('Function: tileStarts', () => {
  it('is a single tile at 0 when the length fits in one tile', () => {
    // Prepare
    const lengths = [1, 200, 320];

    // Act
    const starts = lengths.map((l) => tileStarts(l, 320, 0.25));

    // Assess
    expect(starts).toEqual([[0], [0], [0]]);
  });

  it('places three tiles over twice the tile size with 25 % overlap', () => {
    // Prepare
    const [length, size, overlap] = [640, 320, 0.25];

    // Act
    const starts = tileStarts(length, size, overlap);

    // Assess: stride 240 → ceil(320/240)+1 = 3 tiles, evenly spaced by 160.
    expect(starts).toEqual([0, 160, 320]);
  });

  it('spaces tiles evenly and rounds the starts to whole pixels', () => {
    // Prepare
    const [length, size, overlap] = [1000, 320, 0.25];

    // Act
    const starts = tileStarts(length, size, overlap);

    // Assess: ceil(680/240)+1 = 4 tiles, step 226.67.
    expect(starts).toEqual([0, 227, 453, 680]);
  });

  it('abuts tiles without overlap when overlap is 0', () => {
    // Prepare
    const [length, size, overlap] = [640, 320, 0];

    // Act
    const starts = tileStarts(length, size, overlap);

    // Assess
    expect(starts).toEqual([0, 320]);
  });

  it('always starts at 0, ends exactly at the edge and overlaps neighbours by at least the overlap', () => {
    // Prepare
    const size = 240;
    const overlap = 0.25;
    const stride = size * (1 - overlap);

    const violations: string[] = [];

    for (let length = size + 1; length <= 2000; length++) {
      // Act
      const starts = tileStarts(length, size, overlap);

      // Assess (collected, so one failure report lists every bad length)
      if (starts[0] !== 0) violations.push(`${length}: first start ${starts[0]}`);
      if (starts.at(-1)! + size !== length)
        violations.push(`${length}: last tile ends at ${starts.at(-1)! + size}`);
      for (let i = 1; i < starts.length; i++) {
        const gap = starts[i]! - starts[i - 1]!;
        // Rounding may widen one gap by under a pixel.
        if (gap <= 0 || gap > Math.ceil(stride)) violations.push(`${length}: gap ${gap} after tile ${i - 1}`);
      }
    }
    expect(violations).toEqual([]);
  });
});

describe('Function: gridLevels', () => {
  it('is only the full frame when no zoom is needed', () => {
    // Prepare
    const needed = [0.2, 1, 1 + 1e-12];

    // Act
    const levels = needed.map((n) => gridLevels(n, 4));

    // Assess
    expect(levels).toEqual([[1], [1], [1]]);
  });

  it('rounds the needed zoom up to the next whole grid', () => {
    // Prepare
    const cases: [number, number[]][] = [
      [1.875, [1, 2]],
      [3, [1, 2, 3]],
      [3.9375, [1, 2, 4]],
    ];

    for (const [needed, expected] of cases) {
      // Act
      const levels = gridLevels(needed, 4);

      // Assess
      expect(levels).toEqual(expected);
    }
  });

  it('doubles up to the top level and ends at it even when it is not a power of two', () => {
    // Prepare
    const needed = 5;

    // Act
    const levels = gridLevels(needed, 8);

    // Assess
    expect(levels).toEqual([1, 2, 4, 5]);
  });

  it('is capped at maxGrid', () => {
    // Prepare
    const needed = 16;

    // Act
    const capped4 = gridLevels(needed, 4);
    const capped1 = gridLevels(needed, 1);

    // Assess
    expect(capped4).toEqual([1, 2, 4]);
    expect(capped1).toEqual([1]);
  });
});

describe('Function: planPasses', () => {
  it('plans a full-frame pass and a 2x2 grid for a 1920x1080 image analysed at full size', () => {
    // Prepare: 1/6 detector px per original px puts a 48 px face at 8 px; 15 px needs zoom 1.875.
    const options = { ...defaults, analysisScale: 1 };

    // Act
    const passes = planPasses(1920, 1080, options);

    // Assess
    expect(passes.map((p) => p.grid)).toEqual([1, 2]);
    const [full, grid2] = passes as [DetectorPass, DetectorPass];
    expect(full.scale).toBeCloseTo(1 / 6, 15);
    expect([full.width, full.height]).toEqual([320, 180]);
    expect(full.tiles).toEqual([{ x: 0, y: 0, width: 320, height: 180 }]);
    expect(grid2.scale).toBeCloseTo(1 / 3, 15);
    expect([grid2.width, grid2.height]).toEqual([640, 360]);
    expect(grid2.tiles.map((t) => [t.x, t.y, t.width, t.height])).toEqual([
      [0, 0, 320, 240],
      [160, 0, 320, 240],
      [320, 0, 320, 240],
      [0, 120, 320, 240],
      [160, 120, 320, 240],
      [320, 120, 320, 240],
    ]);
    for (const pass of passes) {
      expectTilesInside(pass, 320, 240);
      expect(uncoveredPixels(pass)).toBe(0);
    }
  });

  it('reaches grid 4 for a 4032x3024 photo analysed at 2048 px long side', () => {
    // Prepare: the analysis image is 2048x1536.
    const options = { ...defaults, analysisScale: 2048 / 4032 };

    // Act
    const passes = planPasses(2048, 1536, options);

    // Assess: 320/4032 detector px per original px → 48 px face = 3.81 px; 15 px needs zoom 3.94.
    expect(passes.map((p) => p.grid)).toEqual([1, 2, 4]);
    expect(passes.map((p) => [p.width, p.height])).toEqual([
      [320, 240],
      [640, 480],
      [1280, 960],
    ]);
    expect(passes.map((p) => p.tiles.length)).toEqual([1, 9, 25]);
    const grid4 = passes[2]!;
    expect([...new Set(grid4.tiles.map((t) => t.x))]).toEqual([0, 240, 480, 720, 960]);
    expect([...new Set(grid4.tiles.map((t) => t.y))]).toEqual([0, 180, 360, 540, 720]);
    for (const pass of passes) {
      expectTilesInside(pass, 320, 240);
      expect(uncoveredPixels(pass)).toBe(0);
    }
  });

  it('stops at maxGrid even when smaller faces would need more zoom', () => {
    // Prepare
    const options = { ...defaults, analysisScale: 2048 / 4032, maxGrid: 2 };

    // Act
    const passes = planPasses(2048, 1536, options);

    // Assess
    expect(passes.map((p) => p.grid)).toEqual([1, 2]);
  });

  it('plans only the full frame for a tiny 92x112 image, enlarged to fill the input height', () => {
    // Prepare
    const options = { ...defaults, analysisScale: 1 };

    // Act
    const passes = planPasses(92, 112, options);

    // Assess: scale 240/112, width round(197.14) = 197.
    expect(passes).toHaveLength(1);
    const [full] = passes as [DetectorPass];
    expect(full.grid).toBe(1);
    expect(full.scale).toBeCloseTo(240 / 112, 15);
    expect([full.width, full.height]).toEqual([197, 240]);
    expect(full.tiles).toEqual([{ x: 0, y: 0, width: 197, height: 240 }]);
  });
});
