import { z } from 'zod';
import { EnvName, EnvSchema, envVar } from '../shared/env.js';

/** What the detect stage reads, whether it runs in the detect Lambda or the GPU batch container. */
export const detectStageShape = {
  [EnvName.VerifyQueueUrl]: envVar.url(),
  [EnvName.MaxPhotoBytes]: envVar.optionalNumber({ int: true, min: 1 }),
  [EnvName.FacesIndex]: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
};

export interface DetectStageSettings {
  verifyQueueUrl: string;
  /** Largest photo downloaded; the engine's own limit when unset. */
  maxPhotoBytes: number | undefined;
  /** Look analyses up in and add them to the faces index. */
  facesIndex: boolean;
}

export const detectStageSettings = (v: {
  [EnvName.VerifyQueueUrl]: string;
  [EnvName.MaxPhotoBytes]?: number | undefined;
  [EnvName.FacesIndex]: 'on' | 'off';
}): DetectStageSettings => ({
  verifyQueueUrl: v[EnvName.VerifyQueueUrl],
  maxPhotoBytes: v[EnvName.MaxPhotoBytes],
  facesIndex: v[EnvName.FacesIndex] === 'on',
});

/** The detect function's whole environment. */
export const detectEnv = new EnvSchema('detect', detectStageShape, detectStageSettings);
