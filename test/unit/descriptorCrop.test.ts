import { describe, expect, it } from 'vitest';
import { type Affine, applyAffine } from '../../core/align/affine.js';
import { ARCFACE_TEMPLATE } from '../../core/align/arcfaceTemplate.js';
import {
  arcfaceCrop,
  DESCRIPTOR_SIZE,
  DescriptorFraming,
  descriptorCrop,
  descriptorTemplate,
  mirrorCrop,
} from '../../core/align/descriptorCrop.js';
import type { FivePoints, Point } from '../../core/types.js';

const similarity = (scale: number, degrees: number, tx: number, ty: number): Affine => {
  const t = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(t), Math.sin(t)];
  return { a: scale * cos, b: -scale * sin, c: tx, d: scale * sin, e: scale * cos, f: ty };
};
const mapPoints = (m: Affine, p: FivePoints): FivePoints =>
  p.map((q) => applyAffine(m, q)) as unknown as FivePoints;
const expectClose = (a: Point, b: Point, digits = 6): void => {
  expect(a.x).toBeCloseTo(b.x, digits);
  expect(a.y).toBeCloseTo(b.y, digits);
};

describe('Function: descriptorTemplate', () => {
  it("reproduces face-api's framing: eye-to-mouth 45 % of the crop, reference centroid at 50 % / 43 %", () => {
    // Act
    const [le, re, , lm, rm] = descriptorTemplate();

    // Assess
    const mouth = { x: (lm.x + rm.x) / 2, y: (lm.y + rm.y) / 2 };
    const eyeToMouth =
      (Math.hypot(le.x - mouth.x, le.y - mouth.y) + Math.hypot(re.x - mouth.x, re.y - mouth.y)) / 2;
    expect(eyeToMouth / DESCRIPTOR_SIZE).toBeCloseTo(0.45, 6);
    expect((le.x + re.x + mouth.x) / 3 / DESCRIPTOR_SIZE).toBeCloseTo(0.5, 6);
    expect((le.y + re.y + mouth.y) / 3 / DESCRIPTOR_SIZE).toBeCloseTo(0.43, 6);
  });

  it('shrinks the face about the crop centre when zoomed out', () => {
    const one = descriptorTemplate(1);
    const wide = descriptorTemplate(1.25);
    const c = DESCRIPTOR_SIZE / 2;
    one.forEach((p, i) => {
      expectClose(wide[i]!, { x: c + (p.x - c) / 1.25, y: c + (p.y - c) / 1.25 });
    });
  });
});

describe('Function: descriptorCrop', () => {
  it('aligned: maps the template onto a rotated, scaled, shifted face exactly', () => {
    // Prepare: the template's face seen through a similarity (a tilted face in a photo).
    const world = similarity(2.5, 25, 300, 140);
    const points = mapPoints(world, descriptorTemplate());

    // Act
    const crop = descriptorCrop(points, DescriptorFraming.Aligned);

    // Assess: crop pixel → image is the world map itself.
    descriptorTemplate().forEach((p, i) => {
      expectClose(applyAffine(crop, p), points[i]!, 4);
    });
  });

  it("box: face-api's own square for an upright face is the whole crop, and ignores roll", () => {
    // Prepare: the template is framed by face-api's rule, so its box is [0, 150]².
    const upright = descriptorTemplate();

    // Act
    const crop = descriptorCrop(upright, DescriptorFraming.Box);
    const tilted = descriptorCrop(mapPoints(similarity(1, 20, 0, 0), upright), DescriptorFraming.Box);

    // Assess
    expectClose(applyAffine(crop, { x: 0, y: 0 }), { x: 0, y: 0 }, 6);
    expectClose(applyAffine(crop, { x: 150, y: 150 }), { x: 150, y: 150 }, 6);
    expect(tilted.b).toBe(0);
    expect(tilted.d).toBe(0);
  });

  it('aligned and box agree on an upright face', () => {
    const points = mapPoints(similarity(0.8, 0, 40, 10), descriptorTemplate());
    const a = descriptorCrop(points, DescriptorFraming.Aligned);
    const b = descriptorCrop(points, DescriptorFraming.Box);
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f'] as const) expect(a[k]).toBeCloseTo(b[k], 6);
  });
});

describe('Function: arcfaceCrop', () => {
  it('is the scale map for a face already aligned to the 112x112 template', () => {
    const points = ARCFACE_TEMPLATE.map((p) => ({ x: 2 * p.x, y: 2 * p.y })) as unknown as FivePoints;
    const crop = arcfaceCrop(points);
    expect(crop.a).toBeCloseTo(2, 9);
    expect(crop.e).toBeCloseTo(2, 9);
    expect(crop.b).toBeCloseTo(0, 9);
    expect(crop.c).toBeCloseTo(0, 9);
  });
});

describe('Function: mirrorCrop', () => {
  it('reads pixel u where the original crop reads size - u, same row', () => {
    // Prepare
    const crop = similarity(1.7, 33, 12, -4);
    const m = mirrorCrop(crop, 150);

    for (const [u, v] of [
      [0, 0],
      [0.5, 10.5],
      [149.5, 75],
    ] as const) {
      // Act / Assess
      expectClose(applyAffine(m, { x: u, y: v }), applyAffine(crop, { x: 150 - u, y: v }), 9);
    }
  });

  it('is its own inverse', () => {
    const crop = similarity(0.9, -12, 5, 7);
    const twice = mirrorCrop(mirrorCrop(crop, 112), 112);
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f'] as const) expect(twice[k]).toBeCloseTo(crop[k], 9);
  });
});
