import { z } from 'zod';

/** The JSON-lines form of a library (`mespotter library export|import`): nothing is locked in. */
export const LIBRARY_EXPORT_FORMAT = 'mespotter-library';
export const LIBRARY_EXPORT_VERSION = 1;

const box = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });
const nullableString = z.string().nullable();

export const exportLineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('header'),
    format: z.literal(LIBRARY_EXPORT_FORMAT),
    version: z.literal(LIBRARY_EXPORT_VERSION),
    schema: z.number(),
    exportedAt: z.string(),
  }),
  z.object({
    type: z.literal('person'),
    name: z.string().min(1),
    createdAt: z.string(),
    threshold: z.number().nullable(),
    calibration: z.record(z.string(), z.unknown()).nullable(),
    /** False for an unnamed cluster (absent in exports made before clusters: a named person). */
    named: z.boolean().optional(),
    /** The cluster's stable number, when the person came from clustering. */
    clusterNo: z.number().int().nullable().optional(),
  }),
  z.object({
    type: z.literal('photo'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number(),
    width: z.number().nullable(),
    height: z.number().nullable(),
    takenAt: nullableString,
    analysisNs: nullableString,
    analysedAt: nullableString,
    rejected: z.number(),
    paths: z.array(
      z.object({
        root: z.string(),
        rel: z.string(),
        /** base64 of the exact bytes, when the name is not UTF-8. */
        rawRel: nullableString,
        size: z.number(),
        mtimeMs: z.number(),
        seenAt: z.string(),
        missingSince: nullableString,
      }),
    ),
    faces: z.array(
      z.object({
        idx: z.number().int(),
        box,
        /** Ten numbers: x, y of the five points. */
        points: z.array(z.number()).length(10),
        score: z.number(),
        quality: z.number(),
        roll: z.number(),
        /** base64 little-endian float32. */
        embedding: z.string(),
        descriptor: nullableString,
      }),
    ),
  }),
  z.object({
    type: z.literal('label'),
    sha256: z.string(),
    face: z.number().int(),
    person: z.string(),
    kind: z.enum(['enrolled', 'auto', 'confirmed', 'rejected', 'imported']),
    score: z.number().nullable(),
    source: nullableString,
    createdAt: z.string(),
  }),
  z.object({
    type: z.literal('run'),
    runKey: z.string(),
    command: z.string(),
    startedAt: z.string(),
    finishedAt: nullableString,
    summary: z.unknown().nullable(),
  }),
]);
export type ExportLine = z.infer<typeof exportLineSchema>;

/** Whether the start of a file is a library export's header line (so `export --force` may replace it). */
export const isLibraryExportHead = (head: string): boolean => {
  const end = head.indexOf('\n');
  if (end < 0) return false;
  try {
    const first = JSON.parse(head.slice(0, end)) as { type?: unknown; format?: unknown };
    return first.type === 'header' && first.format === LIBRARY_EXPORT_FORMAT;
  } catch {
    return false;
  }
};
