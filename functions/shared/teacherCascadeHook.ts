import { ConfigError } from '../../core/errors.js';
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
import { EnvName, numberEnv, optionalEnv } from './env.js';
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

const optionalNumber = (name: EnvName): number | undefined =>
  optionalEnv(name) === undefined ? undefined : numberEnv(name, 0);

/**
 * verify's teacher hook from its environment: the gray-zone cascade when
 * MESPOTTER_TEACHER_GRAY_ZONE is set, else the engine's decision stands. Settings are checked
 * here (a bad one fails the cold start); the teacher itself is loaded on the first gray photo.
 */
export const teacherHookFromEnv = (load: () => Promise<Teacher> = loadRekognitionTeacher): TeacherHook => {
  const zone = optionalEnv(EnvName.TeacherGrayZone);
  if (!zone) return trustEngine;
  const threshold = optionalNumber(EnvName.TeacherThreshold);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 100))
    throw new ConfigError(`${EnvName.TeacherThreshold} must be in 0..100 (got ${threshold})`);
  const options: CascadeOptions = {
    ...parseGrayZone(zone),
    ratePerSecond: numberEnv(EnvName.TeacherRate, DEFAULT_TEACHER_RATE),
    maxWaitMs: numberEnv(EnvName.TeacherMaxWaitMs, DEFAULT_VERIFY_TEACHER_MAX_WAIT_MS),
    pricing: pricingWith(optionalNumber(EnvName.TeacherPriceUsd)),
    ...(threshold !== undefined ? { teacherThreshold: threshold } : {}),
  };
  return cascadeReviewer(new TeacherCascade(lazyTeacher(load), options));
};
