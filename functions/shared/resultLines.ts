import { randomUUID } from 'node:crypto';
import { ImageErrorCode, MespotterError } from '../../core/errors.js';
import { type ResultLine, resultLineSchema } from '../../core/report/resultLine.js';
import { CloudErrorCode } from './errors.js';
import { linesPrefix } from './keys.js';
import { listObjects } from './listObjects.js';
import { getObjectText, putText } from './s3Objects.js';

/*
 * A run's result lines live in results/<runId>/lines/ as JSON-lines objects, each written whole by
 * one invocation (the lines of its photos: a verify or copy batch, detect's error lines, ingest's
 * skipped inputs), named <ISO time>-<8 hex>-<count>.jsonl. One PUT carries many photos' lines, the
 * name says how many without reading it, and names sort by time. A photo has one line: when a
 * retry or a second drop of the same key writes it again, the newest object's line is the one
 * that counts (readRunLines).
 */

/** Lines per object at most: an S3 GET of a lines object stays small. */
export const LINES_PER_OBJECT = 1000;

const LINES_NAME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)-([0-9a-f]{8})-(\d+)\.jsonl$/;

export const linesObjectKey = (runId: string, at: Date, id: string, count: number): string =>
  `${linesPrefix(runId)}${at.toISOString()}-${id}-${count}.jsonl`;

export interface LinesObject {
  key: string;
  /** Lines it holds, from its name; objects named otherwise (one line per object, older layout) count 1. */
  count: number;
}

export const parseLinesObjectKey = (runId: string, key: string): LinesObject | undefined => {
  const prefix = linesPrefix(runId);
  if (!key.startsWith(prefix) || key.endsWith('/')) return undefined;
  const m = LINES_NAME.exec(key.slice(prefix.length));
  return { key, count: m ? Number(m[3]) : 1 };
};

/**
 * Writes lines of one run, LINES_PER_OBJECT to an object. Each object is put whole (S3 has no
 * partial object), so a failure leaves nothing half written; the caller retries the photos.
 */
export const writeLines = async (
  bucket: string,
  runId: string,
  lines: readonly ResultLine[],
  now = new Date(),
): Promise<void> => {
  for (let i = 0; i < lines.length; i += LINES_PER_OBJECT) {
    const chunk = lines.slice(i, i + LINES_PER_OBJECT);
    await putText(
      bucket,
      linesObjectKey(runId, now, randomUUID().slice(0, 8), chunk.length),
      `${chunk.map((l) => JSON.stringify(l)).join('\n')}\n`,
      'application/x-ndjson',
    );
  }
};

/** A run's lines objects, oldest first, from one listing (no object is read). */
export const listLinesObjects = async (bucket: string, runId: string): Promise<LinesObject[]> => {
  const out: LinesObject[] = [];
  for await (const o of listObjects(bucket, linesPrefix(runId))) {
    const parsed = o.Key ? parseLinesObjectKey(runId, o.Key) : undefined;
    if (parsed) out.push(parsed);
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
};

/** Lines written so far by the names alone: retries and repeated drops count again, so it can exceed the inputs. */
export const countLines = (objects: readonly LinesObject[]): number =>
  objects.reduce((n, o) => n + o.count, 0);

/** Every ResultLine in a lines object's text; anything else in it is left out. */
export const parseLines = (text: string): ResultLine[] => {
  const out: ResultLine[] = [];
  for (const t of text.split('\n')) {
    if (!t.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(t);
    } catch {
      continue;
    }
    const parsed = resultLineSchema.safeParse(raw);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
};

/**
 * A run's one line per input, by path: objects read oldest first, so a path written again (a
 * retry, the same key dropped twice that day) keeps its newest line.
 */
export const readRunLines = async (
  bucket: string,
  runId: string,
  objects?: readonly LinesObject[],
): Promise<Map<string, ResultLine>> => {
  const byPath = new Map<string, ResultLine>();
  for (const o of objects ?? (await listLinesObjects(bucket, runId))) {
    const object = await getObjectText(bucket, o.key);
    if (!object) continue;
    for (const line of parseLines(object.text)) {
      byPath.delete(line.path);
      byPath.set(line.path, line);
    }
  }
  return byPath;
};

/**
 * The only failures that become a photo's outcome: faults of the photo or of the input naming it,
 * which no retry can change. Everything else (configuration, models, throttling, network, S3 5xx,
 * an unreadable body) is thrown, retried by SQS and ends in the DLQ, to be redriven once fixed.
 * `unreadable` and `symlink_loop` are left out: in the bucket they mean a transfer or listing
 * problem, not a bad photo.
 */
export const PERMANENT_CODES: ReadonlySet<string> = new Set<string>([
  ImageErrorCode.Empty,
  ImageErrorCode.TooLarge,
  ImageErrorCode.TooManyPixels,
  ImageErrorCode.Unsupported,
  ImageErrorCode.Corrupt,
  ImageErrorCode.Vanished,
  CloudErrorCode.BadMessage,
  CloudErrorCode.BadManifest,
  CloudErrorCode.OtherBucket,
]);

/** True only for an error whose code is on the allow-list above, whatever class it has. */
export const isPermanent = (error: unknown): error is MespotterError =>
  error instanceof MespotterError && PERMANENT_CODES.has(error.code);
