import type { FivePoints } from '../types.js';

/** Where ArcFace-family embedders expect the five points in a 112x112 crop. */
export const ARCFACE_TEMPLATE: FivePoints = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
] as const;

export const ARCFACE_SIZE = 112;
