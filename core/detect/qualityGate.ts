import type { Box, FivePoints, Point } from '../types.js';

/**
 * How face-like the five points are, 0..1. Tiled passes find T-shirt prints, sleeves and
 * streamers with high detector scores; the landmark model still returns 68 points for them,
 * but not in a face's arrangement. Measured in the eye-line frame so roll does not matter.
 */
export const geometryScore = (points: FivePoints, box: Box): number => {
  const [le, re, nose, lm, rm] = points;
  const ex = re.x - le.x;
  const ey = re.y - le.y;
  const eyeDist = Math.hypot(ex, ey);
  const boxW = box.x2 - box.x1;
  if (eyeDist < 1e-6 || boxW <= 0) return 0;
  const cos = ex / eyeDist;
  const sin = ey / eyeDist;
  const eyeMid = { x: (le.x + re.x) / 2, y: (le.y + re.y) / 2 };
  // Coordinates in units of eye distance, x along the eye line, y downwards perpendicular to it.
  const local = (p: Point): Point => {
    const dx = p.x - eyeMid.x;
    const dy = p.y - eyeMid.y;
    return { x: (dx * cos + dy * sin) / eyeDist, y: (-dx * sin + dy * cos) / eyeDist };
  };
  const n = local(nose);
  const l = local(lm);
  const r = local(rm);
  const mouthY = (l.y + r.y) / 2;
  const mouthW = r.x - l.x;
  // The order of features is not a matter of degree: eyes, then nose, then mouth, left to right.
  if (n.y <= 0 || mouthY <= n.y || mouthW <= 0) return 0;
  const checks = [
    // Eye distance relative to the box: ~0.35-0.5 frontal, smaller in profile.
    inRange(eyeDist / boxW, 0.15, 0.8),
    // Nose below the eyes and above the mouth.
    inRange(n.y, 0.15, 1.3),
    inRange(mouthY - n.y, 0.05, 1.0),
    // Mouth below the eyes at a face's proportion (~0.9-1.1 eye distances frontal).
    inRange(mouthY, 0.45, 1.8),
    // Mouth corners left-to-right like the eyes, about as wide as the eye distance.
    inRange(mouthW, 0.2, 1.5),
    // Nose and mouth near the face's midline.
    inRange(n.x, -0.9, 0.9),
    inRange((l.x + r.x) / 2, -0.7, 0.7),
  ];
  return checks.reduce((s, c) => s + c, 0) / checks.length;
};

/** 1 inside [lo, hi], falling linearly to 0 at one range-width outside. */
const inRange = (v: number, lo: number, hi: number): number => {
  const width = hi - lo;
  if (v >= lo && v <= hi) return 1;
  const dist = v < lo ? lo - v : v - hi;
  return Math.max(0, 1 - dist / width);
};
