import { describe, expect, it } from 'vitest';
import { snapToShrinkOnLoad } from '../../core/image/decode.js';

describe('Function: snapToShrinkOnLoad', () => {
  it('moves a target just above a JPEG shrink factor down to it', () => {
    // 4032 px to 2048 px is 0.508: decode at 1/2 instead of full size plus a resize.
    expect(snapToShrinkOnLoad(2048 / 4032)).toBe(0.5);
    expect(snapToShrinkOnLoad(0.26)).toBe(0.25);
    expect(snapToShrinkOnLoad(0.13)).toBe(0.125);
  });

  it('leaves other scales alone', () => {
    expect(snapToShrinkOnLoad(1)).toBe(1);
    expect(snapToShrinkOnLoad(0.7)).toBe(0.7);
    expect(snapToShrinkOnLoad(0.5)).toBe(0.5);
    expect(snapToShrinkOnLoad(0.3)).toBe(0.3);
  });
});
