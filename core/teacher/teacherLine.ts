import { z } from 'zod';

/** What the cascade did with one photo it routed to the teacher. */
export const TeacherOutcome = {
  /** The teacher agreed with the local decision. */
  Confirmed: 'confirmed',
  /** The teacher changed the decision (status or which face is the person). */
  Overturned: 'overturned',
  /** The call failed; the local decision stands. */
  Failed: 'failed',
  /** No call within the rate limit's wait budget; the local decision stands. */
  RateLimited: 'rate_limited',
} as const;
export type TeacherOutcome = (typeof TeacherOutcome)[keyof typeof TeacherOutcome];

// Literal statuses rather than PhotoStatus: resultLine.ts imports this file.
const decidedStatus = z.enum(['matched', 'no_match']);

/** The optional `teacher` field of a results line: present only on photos routed to the teacher. */
export const teacherLineSchema = z.object({
  outcome: z.enum([
    TeacherOutcome.Confirmed,
    TeacherOutcome.Overturned,
    TeacherOutcome.Failed,
    TeacherOutcome.RateLimited,
  ]),
  /** The local decision before the teacher was asked. */
  localStatus: decidedStatus,
  /** Requests that reached the teacher for this photo (0 or 1). */
  calls: z.number(),
  /** What those calls cost (failed calls are not billed). */
  costUsd: z.number(),
  /** The gray-zone faces and the teacher's verdict on each. */
  faces: z
    .array(
      z.object({
        index: z.number(),
        label: z.enum(['match', 'no_match', 'unpaired']),
        similarity: z.number().optional(),
      }),
    )
    .optional(),
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type TeacherLine = z.infer<typeof teacherLineSchema>;

/** The optional `teacher` field of a run summary: totals over the lines. */
export const teacherUsageSchema = z.object({
  /** Photos whose decision fell in the gray zone. */
  routed: z.number(),
  calls: z.number(),
  failures: z.number(),
  rateLimited: z.number(),
  overturned: z.number(),
  costUsd: z.number(),
});
export type TeacherUsage = z.infer<typeof teacherUsageSchema>;

export const emptyTeacherUsage = (): TeacherUsage => ({
  routed: 0,
  calls: 0,
  failures: 0,
  rateLimited: 0,
  overturned: 0,
  costUsd: 0,
});

/**
 * Adds one line's teacher field to a running total. Undefined stays undefined until a line has
 * one, so runs without a cascade keep summaries without a `teacher` field.
 */
export const addTeacherUsage = (
  total: TeacherUsage | undefined,
  line: TeacherLine | undefined,
): TeacherUsage | undefined => {
  if (!line) return total;
  const t = total ?? emptyTeacherUsage();
  return {
    routed: t.routed + 1,
    calls: t.calls + line.calls,
    failures: t.failures + (line.outcome === TeacherOutcome.Failed ? 1 : 0),
    rateLimited: t.rateLimited + (line.outcome === TeacherOutcome.RateLimited ? 1 : 0),
    overturned: t.overturned + (line.outcome === TeacherOutcome.Overturned ? 1 : 0),
    costUsd: Math.round((t.costUsd + line.costUsd) * 1e6) / 1e6,
  };
};
