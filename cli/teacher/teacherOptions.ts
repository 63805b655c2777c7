import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, MespotterError } from '../../core/errors.js';
import { describeFsError } from '../../core/fs/describeFsError.js';
import { checkRegularFile, NotRegularFileError } from '../../core/fs/regularFile.js';
import type { Gallery } from '../../core/match/gallery.js';
import { sha256Hex } from '../../core/models/manifest.js';
import { pickTeacherSource } from '../../core/teacher/pickTeacherSource.js';
import { TeacherCascade } from '../../core/teacher/TeacherCascade.js';
import type { TeacherUsage } from '../../core/teacher/teacherLine.js';
import type { TeacherSource } from '../../core/teacher/types.js';
import { strictNumber } from '../../core/util/strictNumber.js';

export const parseNonNegative = (v: string): number => {
  const n = strictNumber(v);
  if (n === undefined || n < 0) throw new ConfigError(`expected a number >= 0, got "${v}"`);
  return n;
};

export const parsePositive = (v: string): number => {
  const n = strictNumber(v);
  if (n === undefined || n <= 0) throw new ConfigError(`expected a number > 0, got "${v}"`);
  return n;
};

export const parseSimilarity = (v: string): number => {
  const n = strictNumber(v);
  if (n === undefined || n < 0 || n > 100)
    throw new ConfigError(`teacher similarity must be in 0..100, got "${v}"`);
  return n;
};

const readReference = async (path: string): Promise<Uint8Array> => {
  try {
    await checkRegularFile(resolve(path));
    return await readFile(resolve(path));
  } catch (cause) {
    throw new MespotterError(
      'teacher_error',
      `cannot read the reference photo ${path} (${cause instanceof NotRegularFileError ? cause.reason : describeFsError(cause)}); pass one with --source PHOTO`,
      {
        cause,
      },
    );
  }
};

/**
 * The gallery's best reference, which the teacher crops to the face we enrolled. If the file has
 * changed since enrolment the box may be stale, so the whole photo is sent instead; `override`
 * sends a photo of the user's choice (its largest face is used).
 */
export const teacherSource = async (gallery: Gallery, override?: string): Promise<TeacherSource> => {
  if (override) return { image: { kind: 'bytes', bytes: await readReference(override) } };
  const ref = pickTeacherSource(gallery);
  const bytes = await readReference(ref.source);
  return sha256Hex(bytes) === ref.sha256
    ? { image: { kind: 'bytes', bytes }, face: ref.box }
    : { image: { kind: 'bytes', bytes } };
};

/** The `sort` flags of the cascade. */
export interface SortTeacherOptions {
  teacherCascade?: { lo: number; hi: number };
  teacherRate?: number;
  teacherRegion?: string;
  teacherThreshold?: number;
}

/**
 * The cascade for `sort --teacher-cascade`, with each searched person's reference read once; the
 * AWS SDK is loaded only here, only when asked for.
 */
export const sortTeacher = async (
  galleries: ReadonlyMap<string, Gallery>,
  searched: readonly string[],
  grayZone: { lo: number; hi: number },
  o: SortTeacherOptions,
): Promise<{ cascade: TeacherCascade; sourceFor: (person: string) => TeacherSource | undefined }> => {
  const { RekognitionTeacher } = await import('../../teacher/RekognitionTeacher.js');
  const teacher = new RekognitionTeacher(o.teacherRegion ? { region: o.teacherRegion } : {});
  const cascade = new TeacherCascade(teacher, {
    ...grayZone,
    ...(o.teacherRate !== undefined ? { ratePerSecond: o.teacherRate } : {}),
    ...(o.teacherThreshold !== undefined ? { teacherThreshold: o.teacherThreshold } : {}),
  });
  const sources = new Map<string, TeacherSource>();
  for (const person of searched) {
    const g = galleries.get(person);
    if (g) sources.set(person, await teacherSource(g));
  }
  return { cascade, sourceFor: (person) => sources.get(person) };
};

export const formatTeacherUsage = (t: TeacherUsage): string =>
  `teacher: ${t.routed} photos in the gray zone, ${t.calls} calls (${t.failures} failed, ` +
  `${t.rateLimited} rate-limited), ${t.overturned} decisions overturned, cost $${t.costUsd.toFixed(4)}`;
