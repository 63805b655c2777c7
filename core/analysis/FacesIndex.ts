import type { ImageAnalysis } from '../types.js';

/** Where analyses are kept by photo content hash: a folder locally, a prefix in S3 in the cloud. */
export interface FacesIndex {
  get(sha256: string): Promise<ImageAnalysis | undefined>;
  put(sha256: string, analysis: ImageAnalysis): Promise<void>;
}
