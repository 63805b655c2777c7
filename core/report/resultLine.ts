import { z } from 'zod';
import { teacherLineSchema, teacherUsageSchema } from '../teacher/teacherLine.js';

/** Final state of one input file in a run; every input ends in exactly one of these. */
export const PhotoStatus = {
  Matched: 'matched',
  NoMatch: 'no_match',
  NoFace: 'no_face',
  Skipped: 'skipped',
  Error: 'error',
} as const;
export type PhotoStatus = (typeof PhotoStatus)[keyof typeof PhotoStatus];

/** What happened to the copy of a matched photo. */
export const CopyOutcome = {
  Copied: 'copied',
  AlreadyPresent: 'already_present',
  Conflict: 'conflict',
  DryRun: 'dry_run',
  Failed: 'failed',
} as const;
export type CopyOutcome = (typeof CopyOutcome)[keyof typeof CopyOutcome];

const boxSchema = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });

export const faceResultSchema = z.object({
  box: boxSchema,
  /** Detector confidence 0..1. */
  detScore: z.number(),
  quality: z.number(),
  /** Similarity to the person's gallery (cosine, -1..1). */
  score: z.number(),
  /** True for the one face (at most) that was taken as the person. */
  match: z.boolean(),
});
export type FaceResult = z.infer<typeof faceResultSchema>;

/** One line of results.jsonl. `path` is relative to the input root (or an object key in the cloud). */
export const resultLineSchema = z.object({
  path: z.string(),
  /**
   * The exact bytes of `path`, base64, when the file name is not valid UTF-8 (then `path` shows the
   * bad bytes as U+FFFD). Absent for ordinary names.
   */
  rawPath: z.string().optional(),
  status: z.enum([
    PhotoStatus.Matched,
    PhotoStatus.NoMatch,
    PhotoStatus.NoFace,
    PhotoStatus.Skipped,
    PhotoStatus.Error,
  ]),
  person: z.string(),
  reason: z.string().optional(),
  /** Machine-readable error or skip code (see ImageErrorCode). */
  code: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  sha256: z.string().optional(),
  /** Best face score in the photo (absent when there is no face). */
  bestScore: z.number().optional(),
  threshold: z.number(),
  faces: z.array(faceResultSchema),
  copy: z
    .object({
      outcome: z.enum([
        CopyOutcome.Copied,
        CopyOutcome.AlreadyPresent,
        CopyOutcome.Conflict,
        CopyOutcome.DryRun,
        CopyOutcome.Failed,
      ]),
      destination: z.string(),
      reason: z.string().optional(),
    })
    .optional(),
  cached: z.boolean().optional(),
  ms: z.number().optional(),
  /** Present only when the teacher cascade routed the photo (see core/teacher). */
  teacher: teacherLineSchema.optional(),
});
export type ResultLine = z.infer<typeof resultLineSchema>;

export const runSummarySchema = z.object({
  runId: z.string(),
  person: z.string(),
  threshold: z.number(),
  modelSetId: z.string(),
  input: z.string(),
  output: z.string(),
  dryRun: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string(),
  seconds: z.number(),
  photosPerSecond: z.number(),
  total: z.number(),
  counts: z.record(z.string(), z.number()),
  copies: z.record(z.string(), z.number()),
  errorsByCode: z.record(z.string(), z.number()),
  cacheHits: z.number(),
  /** Peak resident memory of the process that wrote the summary, in MiB. */
  peakRssMb: z.number().optional(),
  /** Teacher cascade totals; present only when some photo was routed to the teacher. */
  teacher: teacherUsageSchema.optional(),
  /** Files found when the run started (`total` is how many got a line). */
  expected: z.number().optional(),
  /** The run was stopped (Ctrl-C, SIGTERM) before every file was done; rerunning continues it. */
  interrupted: z.boolean().optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;
