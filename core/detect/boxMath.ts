import type { Box } from '../types.js';

export const boxArea = (b: Box): number => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);

export const intersectionArea = (a: Box, b: Box): number => {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return w > 0 && h > 0 ? w * h : 0;
};

export const iou = (a: Box, b: Box): number => {
  const inter = intersectionArea(a, b);
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
};

/** Intersection over the smaller box: 1 when one box lies inside the other. */
export const containment = (a: Box, b: Box): number => {
  const smaller = Math.min(boxArea(a), boxArea(b));
  return smaller > 0 ? intersectionArea(a, b) / smaller : 0;
};

export const scaleBox = (b: Box, s: number): Box => ({
  x1: b.x1 * s,
  y1: b.y1 * s,
  x2: b.x2 * s,
  y2: b.y2 * s,
});

export const clipBox = (b: Box, width: number, height: number): Box => ({
  x1: Math.min(Math.max(b.x1, 0), width),
  y1: Math.min(Math.max(b.y1, 0), height),
  x2: Math.min(Math.max(b.x2, 0), width),
  y2: Math.min(Math.max(b.y2, 0), height),
});
