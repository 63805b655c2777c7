import { ARCFACE_TEMPLATE } from '../align/arcfaceTemplate.js';
import type { FivePoints, Point } from '../types.js';

/**
 * Head pose read from the five landmarks alone, as ratios (no 3-D model): good enough to tell a
 * frontal face from a profile or a face looking far up or down, which is all clustering needs
 * (such faces embed poorly and must not seed a cluster).
 */
export interface FacePose {
  /** Eye-line angle in degrees (positive = clockwise in image coordinates). */
  roll: number;
  /**
   * Nose offset from the eye midpoint along the eye line, in half eye distances: 0 frontal,
   * about +-1 when the nose tip sits in front of an eye (strong yaw); sign = direction.
   */
  yaw: number;
  /**
   * How far down the nose tip is between the eye line and the mouth line, minus where the ArcFace
   * template has it: 0 as in a frontal face; the sign tells up from down.
   */
  pitch: number;
}

interface EyeFrame {
  nose: Point;
  mouthY: number;
  roll: number;
}

/** The points in the eye-line frame, in eye distances (x along the eyes, y down). */
const eyeFrame = (points: FivePoints): EyeFrame | null => {
  const [le, re, nose, lm, rm] = points;
  const ex = re.x - le.x;
  const ey = re.y - le.y;
  const d = Math.hypot(ex, ey);
  if (!(d > 1e-6)) return null;
  const cos = ex / d;
  const sin = ey / d;
  const mid = { x: (le.x + re.x) / 2, y: (le.y + re.y) / 2 };
  const local = (p: Point): Point => {
    const dx = p.x - mid.x;
    const dy = p.y - mid.y;
    return { x: (dx * cos + dy * sin) / d, y: (-dx * sin + dy * cos) / d };
  };
  const mouth = { x: (lm.x + rm.x) / 2, y: (lm.y + rm.y) / 2 };
  return { nose: local(nose), mouthY: local(mouth).y, roll: (Math.atan2(ey, ex) * 180) / Math.PI };
};

const templateFrame = eyeFrame(ARCFACE_TEMPLATE)!;
const TEMPLATE_PITCH = templateFrame.nose.y / templateFrame.mouthY;

/** Pose ratios, or null when the points are degenerate (eyes on top of each other, mouth above the eyes). */
export const estimatePose = (points: FivePoints): FacePose | null => {
  const f = eyeFrame(points);
  if (!f || !(f.mouthY > 1e-6)) return null;
  return { roll: f.roll, yaw: 2 * f.nose.x, pitch: f.nose.y / f.mouthY - TEMPLATE_PITCH };
};

export interface PoseLimits {
  /** |yaw| at which the score reaches 0 (default 0.8: nose most of the way to an eye). */
  maxYaw: number;
  /** |pitch| at which the score reaches 0 (default 0.3). */
  maxPitch: number;
}

const DEFAULT_LIMITS: PoseLimits = { maxYaw: 0.8, maxPitch: 0.3 };

/**
 * 1 for a frontal face, falling linearly to 0 at the yaw or pitch limit (the worse of the two);
 * 0 for degenerate points. Roll is not penalised: alignment undoes it. Multiply it into a
 * face's quality so strongly turned faces never seed a cluster.
 */
export const poseScore = (points: FivePoints, limits: Partial<PoseLimits> = {}): number => {
  const { maxYaw, maxPitch } = { ...DEFAULT_LIMITS, ...limits };
  const p = estimatePose(points);
  if (!p) return 0;
  const y = 1 - Math.abs(p.yaw) / maxYaw;
  const t = 1 - Math.abs(p.pitch) / maxPitch;
  return Math.max(0, Math.min(1, y, t));
};
