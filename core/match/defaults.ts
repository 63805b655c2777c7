/**
 * Default decision threshold on the cosine similarity between a face and a person's template.
 * Calibrated on ../shared/datasets (see BENCHMARKS.md, "Threshold calibration").
 */
export const DEFAULT_THRESHOLD = 0.4;

/** Below this a reference is rejected as disagreeing with the rest of the gallery. */
export const DEFAULT_MIN_AGREEMENT = 0.25;

/** Non-matches scoring within this of the threshold are shown for review. */
export const NEAR_MISS_MARGIN = 0.08;
