import { z } from 'zod';

/** The JSON-lines form of a library (`mespotter library export|import`): nothing is locked in. */
export const LIBRARY_EXPORT_FORMAT = 'mespotter-library';
export const LIBRARY_EXPORT_VERSION = 1;
/** The longest line an import reads (a photo with hundreds of faces is well under 4 MiB). */
export const MAX_EXPORT_LINE_CHARS = 16 * 1024 * 1024;

/**
 * Every field is bounded, so a hand-made or damaged file is refused line by line with its reason
 * instead of storing a 60 MB name or a similarity threshold of 5 that every later command trips on.
 * Embeddings are checked after decoding (importLibrary): length, finite, unit norm.
 */
const MAX_TEXT = 256;
const MAX_PATH = 4096;
const finite = z.number();
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const box = z.object({ x1: finite, y1: finite, x2: finite, y2: finite });
const text = z.string().max(MAX_TEXT);
const nullableText = text.nullable();
/** base64 of float32 vectors: 4096 values at most (the models make 512 and 128). */
const vector = z.string().max(22_000);
/** Bounded here; the one person-name rule (core/match/personName.ts) is applied by the import itself. */
const personName = z.string().max(MAX_TEXT);
/** Free-form JSON (calibration, a run's summary), bounded by its size. */
const boundedJson = (max: number) =>
  z
    .unknown()
    .refine((v) => JSON.stringify(v ?? null).length <= max, { message: `more than ${max} characters` });

export const exportLineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('header'),
    format: z.literal(LIBRARY_EXPORT_FORMAT),
    version: z.literal(LIBRARY_EXPORT_VERSION),
    schema: count,
    exportedAt: text,
  }),
  z.object({
    type: z.literal('person'),
    name: personName,
    createdAt: text,
    /** A similarity threshold: a cosine, so in [-1, 1]. */
    threshold: z.number().min(-1).max(1).nullable(),
    calibration: z
      .record(z.string().max(MAX_TEXT), z.unknown())
      .nullable()
      .refine((v) => JSON.stringify(v).length <= 65_536, { message: 'calibration over 65536 characters' }),
    /** False for an unnamed cluster (absent in exports made before clusters: a named person). */
    named: z.boolean().optional(),
    /** The cluster's stable number, when the person came from clustering. */
    clusterNo: z.number().int().min(1).max(1e9).nullable().optional(),
  }),
  z.object({
    type: z.literal('photo'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: count,
    width: z.number().int().min(0).max(1_000_000).nullable(),
    height: z.number().int().min(0).max(1_000_000).nullable(),
    takenAt: nullableText,
    analysisNs: z.string().max(1024).nullable(),
    analysedAt: nullableText,
    rejected: z.number().int().min(0).max(1_000_000),
    paths: z
      .array(
        z.object({
          root: z.string().max(MAX_PATH),
          rel: z.string().max(MAX_PATH),
          /** base64 of the exact bytes, when the name is not UTF-8. */
          rawRel: z
            .string()
            .max(2 * MAX_PATH)
            .nullable(),
          size: count,
          mtimeMs: finite,
          seenAt: text,
          missingSince: nullableText,
        }),
      )
      .max(10_000),
    faces: z
      .array(
        z.object({
          idx: z.number().int().min(0).max(9_999),
          box,
          /** Ten numbers: x, y of the five points. */
          points: z.array(finite).length(10),
          score: finite,
          quality: finite,
          roll: finite,
          /** base64 little-endian float32. */
          embedding: vector,
          descriptor: vector.nullable(),
        }),
      )
      .max(10_000),
  }),
  z.object({
    type: z.literal('label'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    face: z.number().int().min(0).max(9_999),
    person: personName,
    kind: z.enum(['enrolled', 'auto', 'confirmed', 'rejected', 'imported']),
    score: finite.nullable(),
    source: z.string().max(MAX_PATH).nullable(),
    createdAt: text,
  }),
  z.object({
    type: z.literal('run'),
    runKey: text,
    command: z.string().max(65_536),
    startedAt: text,
    finishedAt: nullableText,
    summary: boundedJson(1_048_576).nullable(),
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
