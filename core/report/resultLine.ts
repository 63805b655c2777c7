import { z } from 'zod';
import { teacherLineSchema, teacherUsageSchema } from '../teacher/teacherLine.js';

/**
 * Final state of one input file in a run; every input ends in exactly one of these. `matched`: at
 * least one of the people searched for is in the photo; `no_match`: faces, but none of them.
 */
export const PhotoStatus = {
  Matched: 'matched',
  NoMatch: 'no_match',
  NoFace: 'no_face',
  Skipped: 'skipped',
  Error: 'error',
} as const;
export type PhotoStatus = (typeof PhotoStatus)[keyof typeof PhotoStatus];

/** What happened to one copy of a matched photo. */
export const CopyOutcome = {
  Copied: 'copied',
  AlreadyPresent: 'already_present',
  Conflict: 'conflict',
  DryRun: 'dry_run',
  Failed: 'failed',
} as const;
export type CopyOutcome = (typeof CopyOutcome)[keyof typeof CopyOutcome];

/** Outcomes that leave a match missing from the destination: the run is incomplete (exit 1). */
export const FAILED_COPY_OUTCOMES: ReadonlySet<CopyOutcome> = new Set([
  CopyOutcome.Conflict,
  CopyOutcome.Failed,
]);

const boxSchema = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });

export const faceResultSchema = z.object({
  /** In original upright pixels (EXIF orientation applied). */
  box: boxSchema,
  /** Detector confidence 0..1. */
  detScore: z.number(),
  quality: z.number(),
  /** Who the face is, or null for unknown. */
  person: z.string().nullable(),
  /** Score for `person`; for an unknown face, its best person's score (absent with nobody enrolled). */
  score: z.number().optional(),
  /** The best-scoring person of an unknown face (what it nearly was). */
  best: z.string().optional(),
  /** Score minus the runner-up person's; absent with fewer than two people. */
  margin: z.number().optional(),
  /** `human` when a person's label (enrolled, confirmed, rejected) decided the face. */
  decidedBy: z.enum(['auto', 'human']).optional(),
  /** The face is one of `person`'s enrolled references (a reference photo found itself). */
  reference: z.boolean().optional(),
});
export type FaceResult = z.infer<typeof faceResultSchema>;

export const copyResultSchema = z.object({
  /** The people this copy is for (one in the by-person layout; everyone found in the flat one). */
  people: z.array(z.string()),
  outcome: z.enum([
    CopyOutcome.Copied,
    CopyOutcome.AlreadyPresent,
    CopyOutcome.Conflict,
    CopyOutcome.DryRun,
    CopyOutcome.Failed,
  ]),
  destination: z.string(),
  reason: z.string().optional(),
});
export type CopyResult = z.infer<typeof copyResultSchema>;

/**
 * One line of results.jsonl, the same for the CLI and the cloud. `path` is relative to the input
 * root (or an object key in the cloud).
 */
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
  /** The searched people found in the photo, sorted (empty unless matched). */
  people: z.array(z.string()),
  reason: z.string().optional(),
  /** Machine-readable error or skip code (see ImageErrorCode). */
  code: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  sha256: z.string().optional(),
  faces: z.array(faceResultSchema),
  copies: z.array(copyResultSchema).optional(),
  /** The analysis came from the library (or the cloud's faces index) rather than the engine. */
  cached: z.boolean().optional(),
  ms: z.number().optional(),
  /** One entry per searched person the teacher cascade was asked about (see core/teacher). */
  teacher: z.array(teacherLineSchema.extend({ person: z.string() })).optional(),
  /**
   * `sort --compare-tags` only: where the photo's existing XMP face tags and this decision disagree
   * (cli/tag/tagDisagreements.ts); empty when they agree, absent when tags were not compared.
   */
  tagDisagreements: z
    .array(
      z.object({
        kind: z.enum(['different_name', 'not_found', 'not_tagged', 'unreadable']),
        tagged: z.string().optional(),
        found: z.string().optional(),
        box: boxSchema.optional(),
        reason: z.string().optional(),
      }),
    )
    .optional(),
});
export type ResultLine = z.infer<typeof resultLineSchema>;

export const personSummarySchema = z.object({
  name: z.string(),
  threshold: z.number(),
  /** How the threshold was chosen (core/decide/thresholds.ts). */
  thresholdSource: z.string().optional(),
  /** Photos the person was found in. */
  photos: z.number(),
});
export type PersonSummary = z.infer<typeof personSummarySchema>;

export const runSummarySchema = z.object({
  runId: z.string(),
  /** The people searched for, with their thresholds and how many photos each was found in. */
  people: z.array(personSummarySchema),
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
