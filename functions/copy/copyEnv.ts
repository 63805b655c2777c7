import { EnvName, EnvSchema, envVar } from '../shared/env.js';
import { COPY_OBJECT_MAX_BYTES } from './copyToMatches.js';

/** S3's smallest multipart part: a lower threshold would only make more, smaller requests. */
const MIN_MULTIPART_BYTES = 5 * 1024 ** 2;

/** The copy function's whole environment. */
export const copyEnv = new EnvSchema(
  'copy',
  {
    [EnvName.MultipartCopyBytes]: envVar.number(COPY_OBJECT_MAX_BYTES, {
      int: true,
      min: MIN_MULTIPART_BYTES,
      max: COPY_OBJECT_MAX_BYTES,
    }),
  },
  (v) => ({ multipartAbove: v[EnvName.MultipartCopyBytes] }),
);
