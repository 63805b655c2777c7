import { EnvName, EnvSchema, envVar } from '../shared/env.js';

/** What the detect stage reads, whether it runs in the detect Lambda or the GPU batch container. */
export const detectStageShape = {
  [EnvName.VerifyQueueUrl]: envVar.url(),
  [EnvName.MaxPhotoBytes]: envVar.optionalNumber({ int: true, min: 1 }),
};

export interface DetectStageSettings {
  verifyQueueUrl: string;
  /** Largest photo downloaded; the engine's own limit when unset. */
  maxPhotoBytes: number | undefined;
}

export const detectStageSettings = (v: {
  [EnvName.VerifyQueueUrl]: string;
  [EnvName.MaxPhotoBytes]?: number | undefined;
}): DetectStageSettings => ({
  verifyQueueUrl: v[EnvName.VerifyQueueUrl],
  maxPhotoBytes: v[EnvName.MaxPhotoBytes],
});

/** The detect function's whole environment. */
export const detectEnv = new EnvSchema('detect', detectStageShape, detectStageSettings);
