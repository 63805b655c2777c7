import type { FivePoints, Point } from '../types.js';
import { type Affine, invertAffine } from './affine.js';
import { ARCFACE_TEMPLATE } from './arcfaceTemplate.js';
import { umeyama } from './umeyama.js';

/** Side of the face-api descriptor's input crop. */
export const DESCRIPTOR_SIZE = 150;

/**
 * face-api's crop for its descriptor (FaceLandmarks.alignDlib, which its descriptor tasks use): a
 * square, side = mean eye-to-mouth distance / 0.45, placed so the centroid of (left eye, right eye,
 * mouth centre) sits at 50 % across and 43 % down; resized to 150x150.
 */
const FACE_API_REL_X = 0.5;
const FACE_API_REL_Y = 0.43;
const FACE_API_REL_SCALE = 0.45;

/** How the descriptor's crop is framed: see `descriptorCrop`. */
export const DescriptorFraming = {
  /** Similarity-aligned (upright, roll removed) onto `descriptorTemplate`. */
  Aligned: 'aligned',
  /** face-api's own axis-aligned square (roll kept), as its pipeline crops it. */
  Box: 'box',
} as const;
export type DescriptorFraming = (typeof DescriptorFraming)[keyof typeof DescriptorFraming];

const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/**
 * face-api's reference geometry from five points: our mouth centre is the mid-point of the mouth
 * corners (face-api averages all 20 lip points; the two agree to a few per cent of the face).
 */
const referenceGeometry = (p: FivePoints): { centre: Point; eyeToMouth: number } => {
  const mouth = mid(p[3], p[4]);
  return {
    centre: { x: (p[0].x + p[1].x + mouth.x) / 3, y: (p[0].y + p[1].y + mouth.y) / 3 },
    eyeToMouth: (dist(p[0], mouth) + dist(p[1], mouth)) / 2,
  };
};

/**
 * The five points where face-api's framing puts them in the 150x150 crop, for an upright face
 * shaped like the ArcFace template. `zoom` > 1 shows more context (the face smaller), scaled
 * about the crop centre.
 */
export const descriptorTemplate = (zoom = 1): FivePoints => {
  const { centre, eyeToMouth } = referenceGeometry(ARCFACE_TEMPLATE);
  const s = (FACE_API_REL_SCALE * DESCRIPTOR_SIZE) / eyeToMouth / zoom;
  const half = DESCRIPTOR_SIZE / 2;
  const cx = half + (FACE_API_REL_X * DESCRIPTOR_SIZE - half) / zoom;
  const cy = half + (FACE_API_REL_Y * DESCRIPTOR_SIZE - half) / zoom;
  return ARCFACE_TEMPLATE.map((q) => ({
    x: cx + (q.x - centre.x) * s,
    y: cy + (q.y - centre.y) * s,
  })) as unknown as FivePoints;
};

/**
 * Crop → image map for the descriptor's 150x150 input, from a face's five points (image pixels).
 * `aligned` removes roll and scale by a least-squares similarity onto `descriptorTemplate(zoom)`;
 * `box` is face-api's own square (axis-aligned, so a tilted face stays tilted), scaled by `zoom`
 * about its centre.
 */
export const descriptorCrop = (points: FivePoints, framing: DescriptorFraming, zoom = 1): Affine => {
  if (framing === DescriptorFraming.Aligned) return invertAffine(umeyama(points, descriptorTemplate(zoom)));
  const { centre, eyeToMouth } = referenceGeometry(points);
  const side = eyeToMouth / FACE_API_REL_SCALE;
  const x0 = centre.x - FACE_API_REL_X * side;
  const y0 = centre.y - FACE_API_REL_Y * side;
  const k = (side * zoom) / DESCRIPTOR_SIZE;
  const cx = x0 + side / 2;
  const cy = y0 + side / 2;
  return { a: k, b: 0, c: cx - (k * DESCRIPTOR_SIZE) / 2, d: 0, e: k, f: cy - (k * DESCRIPTOR_SIZE) / 2 };
};

/** Crop → image map for the ArcFace 112x112 embedder input. */
export const arcfaceCrop = (points: FivePoints): Affine => invertAffine(umeyama(points, ARCFACE_TEMPLATE));

/**
 * The same crop seen in a mirror: output pixel u reads what the original crop shows at size - u,
 * so sampling at pixel centres gives exactly the flipped crop.
 */
export const mirrorCrop = (crop: Affine, size: number): Affine => ({
  a: -crop.a,
  b: crop.b,
  c: crop.a * size + crop.c,
  d: -crop.d,
  e: crop.e,
  f: crop.d * size + crop.f,
});
