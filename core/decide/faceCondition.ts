import { estimatePose } from '../cluster/facePose.js';
import type { FaceVectors } from '../match/fusion.js';
import type { Box, FivePoints } from '../types.js';
import type { QualityRule } from './DecisionPolicy.js';

/** What the decision core may know about a face beyond its vectors (an engine Face carries all of it). */
export interface DecidableFace extends FaceVectors {
  /** Box in original-photo pixels. */
  box?: Box;
  /** Engine quality, 0..1. */
  quality?: number;
  points?: FivePoints;
}

/** How well a face is seen; NaN where the face does not say. */
export interface FaceCondition {
  /** Box height in original-photo pixels. */
  height: number;
  quality: number;
  /** Signed yaw from the five points; Infinity when the points are degenerate (not a usable face). */
  yaw: number;
}

export const faceConditionOf = (f: DecidableFace): FaceCondition => {
  const pose = f.points ? estimatePose(f.points) : undefined;
  return {
    height: f.box ? f.box.y2 - f.box.y1 : Number.NaN,
    quality: f.quality ?? Number.NaN,
    yaw: pose === undefined ? Number.NaN : pose === null ? Number.POSITIVE_INFINITY : pose.yaw,
  };
};

/**
 * Whether a face is below the rule's floor: too small, too unclear or too turned, by whichever
 * measures it has (NaN comparisons are false, so an unknown measure never makes a face poor).
 */
export const isBelowQualityFloor = (c: FaceCondition, rule: QualityRule): boolean =>
  c.height < rule.minHeight || c.quality < rule.minQuality || Math.abs(c.yaw) > rule.maxYaw;

/** How much more than a person's threshold the face needs under `rule` (0 without a rule). */
export const thresholdDelta = (c: FaceCondition, rule: QualityRule | undefined): number =>
  rule && isBelowQualityFloor(c, rule) ? rule.delta : 0;
