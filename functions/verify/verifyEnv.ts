import { EnvName, EnvSchema, envVar } from '../shared/env.js';
import { teacherEnvShape, teacherSettings } from '../shared/teacherCascadeHook.js';

/** The verify function's whole environment, the teacher cascade's settings included. */
export const verifyEnv = new EnvSchema(
  'verify',
  {
    [EnvName.Bucket]: envVar.text(),
    [EnvName.CopyQueueUrl]: envVar.url(),
    [EnvName.GalleryTtlSeconds]: envVar.number(30, { min: 0 }),
    ...teacherEnvShape,
  },
  (v) => ({
    bucket: v[EnvName.Bucket],
    copyQueueUrl: v[EnvName.CopyQueueUrl],
    galleryTtlMs: v[EnvName.GalleryTtlSeconds] * 1000,
    teacher: teacherSettings(v),
  }),
);
