import { ConfigError } from '../errors.js';

/** What one billed teacher call costs. */
export interface TeacherPricing {
  /** US dollars per billed call. */
  perCallUsd: number;
  /** Where the price comes from, for reports. */
  note: string;
}

/**
 * Rekognition Image "Group 1" APIs (CompareFaces among them) bill one image per call; $0.001 is
 * the first tier (first million images a month) in us-east-1. Later tiers and other regions
 * differ: pass your own price when it matters.
 */
export const REKOGNITION_COMPARE_FACES_PRICING: TeacherPricing = {
  perCallUsd: 0.001,
  note: 'Rekognition CompareFaces, first tier (first 1M images/month, us-east-1)',
};

export const pricingWith = (perCallUsd: number | undefined, base = REKOGNITION_COMPARE_FACES_PRICING) => {
  if (perCallUsd === undefined) return base;
  if (!Number.isFinite(perCallUsd) || perCallUsd < 0)
    throw new ConfigError(`price per call must be >= 0 (got ${perCallUsd})`);
  return { perCallUsd, note: 'price per call given by the user' };
};

/** Cost of `billedCalls`, rounded to micro-dollars so sums of many calls print cleanly. */
export const teacherCostUsd = (billedCalls: number, pricing: TeacherPricing): number =>
  Math.round(billedCalls * pricing.perCallUsd * 1e6) / 1e6;
