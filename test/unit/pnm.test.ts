import { describe, expect, it } from 'vitest';
import { isPnm, parsePnm } from '../../core/image/pnm.js';

const pnm = (header: string, pixels: number[]): Uint8Array =>
  new Uint8Array([...Buffer.from(header, 'latin1'), ...pixels]);

describe('Function: isPnm', () => {
  it('recognises binary PGM and PPM signatures followed by whitespace', () => {
    // Prepare
    const p5 = pnm('P5\n', []);
    const p6 = pnm('P6 ', []);

    // Act
    const results = [isPnm(p5), isPnm(p6)];

    // Assess
    expect(results).toEqual([true, true]);
  });

  it('rejects ASCII PNM, other formats and too-short input', () => {
    // Prepare
    const samples = [
      pnm('P3\n', []),
      pnm('P2\n', []),
      pnm('P5', []),
      pnm('P5x', []),
      new Uint8Array([0xff, 0xd8, 0xff]),
    ];

    // Act
    const results = samples.map(isPnm);

    // Assess
    expect(results).toEqual([false, false, false, false, false]);
  });
});

describe('Function: parsePnm', () => {
  it('parses a P5 greyscale image', () => {
    // Prepare: 3x2 pixels.
    const bytes = pnm('P5\n3 2\n255\n', [0, 10, 20, 30, 40, 255]);

    // Act
    const image = parsePnm(bytes);

    // Assess
    expect(image).toEqual({
      data: new Uint8Array([0, 10, 20, 30, 40, 255]),
      width: 3,
      height: 2,
      channels: 1,
    });
  });

  it('parses a P6 colour image with the header on one line', () => {
    // Prepare: 2x1 pixels, red then blue.
    const bytes = pnm('P6 2 1 255 ', [255, 0, 0, 0, 0, 255]);

    // Act
    const image = parsePnm(bytes);

    // Assess
    expect(image).toEqual({ data: new Uint8Array([255, 0, 0, 0, 0, 255]), width: 2, height: 1, channels: 3 });
  });

  it('skips comments anywhere in the header', () => {
    // Prepare
    const bytes = pnm('P5\n# made by a scanner\n2 # width\n# height next\n1\n255\n', [7, 8]);

    // Act
    const image = parsePnm(bytes);

    // Assess
    expect(image).toEqual({ data: new Uint8Array([7, 8]), width: 2, height: 1, channels: 1 });
  });

  it('treats pixel bytes that look like digits, spaces or # as data', () => {
    // Prepare: '1', ' ', '#', '\n'.
    const bytes = pnm('P5\n4 1\n255\n', [0x31, 0x20, 0x23, 0x0a]);

    // Act
    const image = parsePnm(bytes);

    // Assess
    expect(image?.data).toEqual(new Uint8Array([0x31, 0x20, 0x23, 0x0a]));
  });

  it('scales values to 0..255 when maxval is not 255, without touching the input', () => {
    // Prepare: maxval 15 → ×17.
    const bytes = pnm('P5\n4 1\n15\n', [0, 15, 7, 8]);
    const copy = bytes.slice();

    // Act
    const image = parsePnm(bytes);

    // Assess
    expect(image?.data).toEqual(new Uint8Array([0, 255, 119, 136]));
    expect(bytes).toEqual(copy);
  });

  it('rounds when scaling from an odd maxval', () => {
    // Prepare: maxval 100: 50 → 127.5 → 128, 1 → 2.55 → 3.
    const bytes = pnm('P5\n3 1\n100\n', [50, 1, 100]);

    // Act
    const image = parsePnm(bytes);

    // Assess
    expect(image?.data).toEqual(new Uint8Array([128, 3, 255]));
  });

  it('ignores trailing bytes after the pixel data', () => {
    // Prepare
    const bytes = pnm('P5\n2 1\n255\n', [1, 2, 3, 4]);

    // Act
    const image = parsePnm(bytes);

    // Assess
    expect(image?.data).toEqual(new Uint8Array([1, 2]));
  });

  it('returns undefined for truncated pixel data', () => {
    // Prepare: a 2x2 P6 needs 12 bytes; 11 present.
    const bytes = pnm('P6\n2 2\n255\n', new Array(11).fill(9));

    // Act
    const image = parsePnm(bytes);

    // Assess
    expect(image).toBeUndefined();
  });

  it('returns undefined for a truncated header, zero size or 16-bit maxval', () => {
    // Prepare
    const samples = [
      pnm('P5\n3 2\n', []),
      pnm('P5\n0 2\n255\n', []),
      pnm('P5\n2 0\n255\n', []),
      pnm('P5\n1 1\n0\n', [0]),
      pnm('P5\n1 1\n65535\n', [0, 0]),
    ];

    // Act
    const results = samples.map(parsePnm);

    // Assess
    expect(results).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
