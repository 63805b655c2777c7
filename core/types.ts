/** Axis-aligned box in original-image pixel coordinates (after EXIF orientation). */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Five alignment points: left eye, right eye, nose tip, left and right mouth corners (image left/right). */
export type FivePoints = readonly [Point, Point, Point, Point, Point];

/** A raw detector hit, before landmarks. */
export interface Detection {
  box: Box;
  score: number;
  /** Which pass found it: 0 = full frame, n > 0 = tile grid n x n. */
  pass: number;
}

/** An interleaved 8-bit RGB image held in memory (the engine's neutral image type). */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** One analysed face: where it is, how good it looks, and its identity embedding. */
export interface Face {
  box: Box;
  score: number;
  points: FivePoints;
  /** In-plane roll of the eye line in degrees (positive = clockwise in image coordinates). */
  roll: number;
  /** Quality in 0..1 combining detector score, size and landmark geometry. */
  quality: number;
  /** L2-normalised 512-d embedding. */
  embedding: Float32Array;
  /**
   * L2-normalised 128-d descriptor from the second, independent embedder (face-api's ResNet);
   * absent in the "fast" embed mode and in analyses made before it existed.
   */
  descriptor?: Float32Array;
}

/** Everything the engine learns from one photo; cached by content hash. */
export interface ImageAnalysis {
  width: number;
  height: number;
  faces: Face[];
  /** Detections the quality gate removed, kept for diagnostics. */
  rejected: number;
}
