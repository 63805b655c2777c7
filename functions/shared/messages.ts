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
});
export type VerifyMessage = z.infer<typeof verifyMessageSchema>;

/** copy queue: the photo's result lines; the matched ones are copied, then all are written. */
export const copyMessageSchema = z.object({
  runId: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  etag: z.string(),
  lines: z.array(resultLineSchema).min(1),
});
export type CopyMessage = z.infer<typeof copyMessageSchema>;

/** ingest queue, besides S3 events: "check whether this manifest run has finished". */
export const finalizeMessageSchema = z.object({
  kind: z.literal('finalize'),
  runId: z.string().min(1),
  bucket: z.string().min(1),
  attempt: z.number().int().min(0),
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
