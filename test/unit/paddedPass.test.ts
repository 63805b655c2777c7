import { describe, expect, it } from 'vitest';
import { paddedPass } from '../../core/detect/tilePlan.js';
import { padReplicate } from '../../core/image/padReplicate.js';

describe('Function: paddedPass', () => {
  it('shrinks a tight 92x112 crop so a border of half its size fits around it in the input', () => {
    // Act: padded size 184x224 letterboxed into 320x240 → scale 240/224
    const pass = paddedPass(92, 112, 320, 240, 0.5);

    // Assess
    expect(pass.scale).toBeCloseTo(240 / 224, 12);
    expect([pass.width, pass.height]).toEqual([99, 120]);
    expect([pass.padX, pass.padY]).toEqual([49, 60]);
    expect(pass.tiles).toEqual([{ x: 0, y: 0, width: 197, height: 240 }]);
  });
});

describe('Function: padReplicate', () => {
  it('repeats the edge pixels into the border', () => {
    // Prepare: 2x1 image, red then blue
    const image = { data: new Uint8Array([255, 0, 0, 0, 0, 255]), width: 2, height: 1 };

    // Act
    const padded = padReplicate(image, 1, 1);

    // Assess: 4x3, every row red red blue blue
    expect([padded.width, padded.height]).toEqual([4, 3]);
    const row = [255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255];
    expect([...padded.data]).toEqual([...row, ...row, ...row]);
  });
});
