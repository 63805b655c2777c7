import { z } from 'zod';
import { resultLineSchema } from '../../core/report/resultLine.js';
import { CloudError, CloudErrorCode } from './errors.js';

/** detect queue: analyse one photo of a run, or rebuild a person's gallery. */
export const detectMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('photo'),
    runId: z.string().min(1),
    bucket: z.string().min(1),
    key: z.string().min(1),
    etag: z.string().optional(),
    size: z.number().optional(),
  }),
  z.object({ kind: z.literal('enrol'), bucket: z.string().min(1), person: z.string().min(1) }),
]);
export type DetectMessage = z.infer<typeof detectMessageSchema>;
export type PhotoMessage = Extract<DetectMessage, { kind: 'photo' }>;

/**
 * What a copy of a photo keeps (its size picks CopyObject or a multipart copy; type and user
 * metadata are set on the copy): read by detect with the photo, so copy needs no HeadObject.
 */
export const sourceObjectSchema = z.object({
  size: z.number().int().min(0),
  contentType: z.string().optional(),
  metadata: z.record(z.string(), z.string()),
});
export type SourceObject = z.infer<typeof sourceObjectSchema>;

/** verify queue: a photo's analysis, inline when small, else in the faces index under `sha256`. */
export const verifyMessageSchema = z.object({
  runId: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  etag: z.string(),
  sha256: z.string(),
  cached: z.boolean(),
  ms: z.number(),
  analysis: z.string().optional(),
  source: sourceObjectSchema.optional(),
});
export type VerifyMessage = z.infer<typeof verifyMessageSchema>;

/** One copy verify planned (core/report/copyPlan.ts): for whom, and its key under matches/. */
export const plannedCopySchema = z.object({
  people: z.array(z.string().min(1)).min(1),
  destination: z.string().min(1),
});
export type PlannedCopyMessage = z.infer<typeof plannedCopySchema>;

/**
 * copy queue: a matched photo's one result line and the copies planned for it; copy makes them,
 * fills the line's `copies` with their outcomes, then writes the line.
 */
export const copyMessageSchema = z.object({
  runId: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  etag: z.string(),
  line: resultLineSchema,
  copies: z.array(plannedCopySchema).min(1),
  /** Absent in messages from before it was carried: copy then reads it with a HeadObject. */
  source: sourceObjectSchema.optional(),
});
export type CopyMessage = z.infer<typeof copyMessageSchema>;

/**
 * ingest queue, besides S3 events: "check whether this run has finished". A manifest run's
 * finalizer reads its run.json; a drop run's carries `anchor`, the inputs record that armed it
 * (functions/ingest/dropRun.ts).
 */
export const finalizeMessageSchema = z.object({
  kind: z.literal('finalize'),
  runId: z.string().min(1),
  bucket: z.string().min(1),
  attempt: z.number().int().min(0),
  anchor: z.string().min(1).optional(),
});
export type FinalizeMessage = z.infer<typeof finalizeMessageSchema>;

/** Parses a queue body; a malformed one is a permanent failure that ends in the DLQ. */
export const parseMessage = <T>(schema: z.ZodType<T>, body: string, queue: string): T => {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (cause) {
    throw new CloudError(CloudErrorCode.BadMessage, `${queue} message is not JSON`, { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new CloudError(CloudErrorCode.BadMessage, `${queue} message is invalid: ${parsed.error.message}`);
  }
  return parsed.data;
};
