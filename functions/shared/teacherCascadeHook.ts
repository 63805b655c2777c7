import { cascadeReviewer } from '../../core/teacher/cascadeReviewer.js';
import { pricingWith } from '../../core/teacher/pricing.js';
import {
  type CascadeOptions,
  DEFAULT_TEACHER_RATE,
  parseGrayZone,
  TeacherCascade,
} from '../../core/teacher/TeacherCascade.js';
import type { Teacher } from '../../core/teacher/types.js';
import type { RekognitionTeacherOptions } from '../../teacher/RekognitionTeacher.js';
import { s3Client } from './clients.js';
import { EnvName, EnvSchema, envVar } from './env.js';
import { type TeacherHook, trustEngine } from './TeacherHook.js';

/**
 * Longest a photo waits for a teacher slot in verify unless MESPOTTER_TEACHER_MAX_WAIT_MS says
 * otherwise: well inside the function's timeout, so a busy teacher makes photos keep their local
 * decision (`rate_limited`) instead of timing the batch out.
 */
export const DEFAULT_VERIFY_TEACHER_MAX_WAIT_MS = 10_000;

/**
 * Rekognition, imported on first use: a container whose photos never fall in the gray zone (and
 * every container with the cascade off) never loads the Rekognition SDK or sharp.
 */
export const loadRekognitionTeacher = async (options: RekognitionTeacherOptions = {}): Promise<Teacher> => {
  const { RekognitionTeacher } = await import('../../teacher/RekognitionTeacher.js');
  return new RekognitionTeacher({ s3: s3Client(), ...options });
};

/** A teacher that loads the real one on its first comparison; a failed load is tried again next time. */
const lazyTeacher = (load: () => Promise<Teacher>): Teacher => {
  let loaded: Promise<Teacher> | undefined;
  return {
    id: 'lazy',
    compareFaces: async (source, target) => {
      loaded ??= load().catch((error: unknown) => {
        loaded = undefined;
        throw error;
      });
      return (await loaded).compareFaces(source, target);
    },
  };
};

/** verify's teacher variables, part of its one environment schema (verifyEnv). */
export const teacherEnvShape = {
  [EnvName.TeacherGrayZone]: envVar.parsedText(parseGrayZone),
  [EnvName.TeacherRate]: envVar.number(DEFAULT_TEACHER_RATE, { above: 0 }),
  [EnvName.TeacherMaxWaitMs]: envVar.number(DEFAULT_VERIFY_TEACHER_MAX_WAIT_MS, { min: 0 }),
  [EnvName.TeacherPriceUsd]: envVar.optionalNumber({ min: 0 }),
  [EnvName.TeacherThreshold]: envVar.optionalNumber({ min: 0, max: 100 }),
};

export interface TeacherSettings {
  /** Unset: the cascade is off and the engine's decision stands. */
  grayZone: { lo: number; hi: number } | undefined;
  ratePerSecond: number;
  maxWaitMs: number;
  priceUsd: number | undefined;
  threshold: number | undefined;
}

export const teacherSettings = (v: {
  [EnvName.TeacherGrayZone]?: { lo: number; hi: number } | undefined;
  [EnvName.TeacherRate]: number;
  [EnvName.TeacherMaxWaitMs]: number;
  [EnvName.TeacherPriceUsd]?: number | undefined;
  [EnvName.TeacherThreshold]?: number | undefined;
}): TeacherSettings => ({
  grayZone: v[EnvName.TeacherGrayZone],
  ratePerSecond: v[EnvName.TeacherRate],
  maxWaitMs: v[EnvName.TeacherMaxWaitMs],
  priceUsd: v[EnvName.TeacherPriceUsd],
  threshold: v[EnvName.TeacherThreshold],
});

const teacherEnv = new EnvSchema('verify teacher', teacherEnvShape, teacherSettings);

/**
 * verify's teacher hook: the gray-zone cascade when a gray zone is set, else the engine's
 * decision stands. The teacher itself is loaded on the first gray photo.
 */
export const teacherHook = (
  settings: TeacherSettings,
  load: () => Promise<Teacher> = loadRekognitionTeacher,
): TeacherHook => {
  if (!settings.grayZone) return trustEngine;
  const options: CascadeOptions = {
    ...settings.grayZone,
    ratePerSecond: settings.ratePerSecond,
    maxWaitMs: settings.maxWaitMs,
    pricing: pricingWith(settings.priceUsd),
    ...(settings.threshold !== undefined ? { teacherThreshold: settings.threshold } : {}),
  };
  return cascadeReviewer(new TeacherCascade(lazyTeacher(load), options));
};

/** The hook from process.env's MESPOTTER_TEACHER_* variables; a bad one throws a ConfigError naming it. */
export const teacherHookFromEnv = (load: () => Promise<Teacher> = loadRekognitionTeacher): TeacherHook =>
  teacherHook(teacherEnv.parse(process.env), load);
