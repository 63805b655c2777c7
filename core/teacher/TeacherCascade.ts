import { ConfigError } from '../errors.js';
import type { Box, ImageAnalysis } from '../types.js';
import { strictNumber } from '../util/strictNumber.js';
import { DEFAULT_TEACHER_THRESHOLD, type LabelledFace, labelFaces, TeacherLabel } from './labels.js';
import { DEFAULT_PAIR_MIN_IOU } from './pairFaces.js';
import { REKOGNITION_COMPARE_FACES_PRICING, type TeacherPricing, teacherCostUsd } from './pricing.js';
import { TokenBucket } from './TokenBucket.js';
import { type TeacherLine, TeacherOutcome } from './teacherLine.js';
import { type Teacher, TeacherFailureCode, type TeacherImage, type TeacherSource } from './types.js';

/**
 * Teacher calls per second when none is given: well under Rekognition's default CompareFaces
 * quota in every region, and it leaves room for other users of the account.
 */
export const DEFAULT_TEACHER_RATE = 5;

export interface CascadeOptions {
  /** Gray zone on our score: faces scoring in [lo, hi] are decided by the teacher. */
  lo: number;
  hi: number;
  /** Teacher similarity (0..100) that counts as the person. */
  teacherThreshold?: number;
  minIou?: number;
  /** Teacher calls per second (token bucket); `burst` calls may go at once. */
  ratePerSecond?: number;
  burst?: number;
  /**
   * Longest a photo waits for a rate-limit slot; past it the local decision stands and the line
   * says `rate_limited`. Infinity (the default) always waits: the run goes at the teacher's rate.
   */
  maxWaitMs?: number;
  pricing?: TeacherPricing;
  /** Clock and sleep, for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface CascadeInput {
  analysis: ImageAnalysis;
  decision: PersonDecision;
  source: TeacherSource;
  image: TeacherImage;
}

/**
 * One person's side of a photo's decision, which is what the teacher can speak to: every face's
 * score for that person and which face (if any) was given to them.
 */
export interface PersonDecision {
  faces: readonly { box: Box; score: number }[];
  /** Index into `faces` of the face given to the person, or -1. */
  matchIndex: number;
}

/** A decision after the cascade; `teacher` is set only when the photo was routed to the teacher. */
export type ReviewedDecision = PersonDecision & { teacher?: TeacherLine };

/** Validates a gray zone; exported for the CLI's `--teacher-cascade LO,HI`. */
export const parseGrayZone = (text: string): { lo: number; hi: number } => {
  const parts = text.split(',').map((s) => strictNumber(s));
  const [lo, hi] = parts;
  if (
    parts.length !== 2 ||
    lo === undefined ||
    hi === undefined ||
    !Number.isFinite(lo) ||
    !Number.isFinite(hi)
  )
    throw new ConfigError(`gray zone must be LO,HI (e.g. 0.3,0.5); got "${text}"`);
  checkGrayZone(lo, hi);
  return { lo, hi };
};

const checkGrayZone = (lo: number, hi: number): void => {
  if (!(lo >= -1 && hi <= 1 && lo <= hi))
    throw new ConfigError(`gray zone needs -1 <= LO <= HI <= 1 (got ${lo},${hi})`);
};

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Gray-zone cascade: a photo goes to the teacher only when its outcome hangs on a face scoring in
 * [lo, hi]. A face above `hi` already makes the photo a match (one person per photo), so nothing
 * is asked; faces below `lo` stay non-matches. The teacher's verdict replaces ours for the gray
 * faces it pairs by IoU; a gray face it did not find keeps our verdict. Any failure, or no rate
 * slot within `maxWaitMs`, keeps the local decision and says so on the line.
 */
export class TeacherCascade {
  readonly teacher: Teacher;
  readonly lo: number;
  readonly hi: number;
  readonly teacherThreshold: number;
  readonly pricing: TeacherPricing;
  readonly #minIou: number;
  readonly #bucket: TokenBucket;
  readonly #maxWaitMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(teacher: Teacher, options: CascadeOptions) {
    checkGrayZone(options.lo, options.hi);
    this.teacher = teacher;
    this.lo = options.lo;
    this.hi = options.hi;
    this.teacherThreshold = options.teacherThreshold ?? DEFAULT_TEACHER_THRESHOLD;
    this.pricing = options.pricing ?? REKOGNITION_COMPARE_FACES_PRICING;
    this.#minIou = options.minIou ?? DEFAULT_PAIR_MIN_IOU;
    this.#bucket = new TokenBucket(options.ratePerSecond ?? DEFAULT_TEACHER_RATE, options.burst, options.now);
    this.#maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
    this.#sleep = options.sleep ?? defaultSleep;
  }

  /** True when the teacher's answer could change this decision. */
  routes(decision: PersonDecision): boolean {
    if (decision.faces.length === 0) return false;
    if (decision.faces.some((f) => f.score > this.hi)) return false;
    return decision.faces.some((f) => this.#gray(f.score));
  }

  async review(input: CascadeInput): Promise<ReviewedDecision> {
    const { decision, analysis } = input;
    if (!this.routes(decision)) return decision;
    const localStatus = decision.matchIndex >= 0 ? 'matched' : 'no_match';
    const wait = this.#bucket.reserve(this.#maxWaitMs);
    if (wait === undefined) {
      return {
        ...decision,
        teacher: { outcome: TeacherOutcome.RateLimited, localStatus, calls: 0, costUsd: 0 },
      };
    }
    if (wait > 0) await this.#sleep(wait);
    const result = await this.teacher
      .compareFaces(input.source, { image: input.image, width: analysis.width, height: analysis.height })
      .catch((error: unknown) => ({
        ok: false as const,
        failure: {
          code: TeacherFailureCode.Unknown,
          message: error instanceof Error ? error.message : String(error),
          attempts: 1,
        },
      }));
    if (!result.ok) {
      return {
        ...decision,
        teacher: {
          outcome: TeacherOutcome.Failed,
          localStatus,
          calls: 1,
          costUsd: 0,
          failure: { code: result.failure.code, message: result.failure.message },
        },
      };
    }
    const labels = labelFaces(decision.faces, result.comparison.faces, {
      teacherThreshold: this.teacherThreshold,
      minIou: this.#minIou,
    });
    const gray = labels.faces.filter((f) => this.#gray(f.score));
    const matchIndex = this.#decide(decision, gray);
    const overturned = matchIndex !== decision.matchIndex;
    return {
      ...decision,
      matchIndex,
      teacher: {
        outcome: overturned ? TeacherOutcome.Overturned : TeacherOutcome.Confirmed,
        localStatus,
        calls: 1,
        costUsd: teacherCostUsd(1, this.pricing),
        faces: gray.map((f) => ({
          index: f.index,
          label: f.label,
          ...(f.similarity !== undefined ? { similarity: f.similarity } : {}),
        })),
      },
    };
  }

  #gray(score: number): boolean {
    return score >= this.lo && score <= this.hi;
  }

  /**
   * The face taken as the person once the teacher has spoken (routed photos have no face above
   * `hi`, so the local match, if any, is the best face and gray too): the teacher's best match
   * among the gray faces, else a gray face it could not see that we had matched, else none.
   */
  #decide(decision: PersonDecision, gray: readonly LabelledFace[]): number {
    let best: LabelledFace | undefined;
    for (const f of gray) {
      if (f.label !== TeacherLabel.Match) continue;
      if (!best || (f.similarity ?? 0) > (best.similarity ?? 0)) best = f;
    }
    if (best) return best.index;
    const local = gray.find((f) => f.label === TeacherLabel.Unpaired && f.index === decision.matchIndex);
    return local ? local.index : -1;
  }
}
