import type { EngineConfig } from '../config.js';
import type { FaceIdentity } from '../embed/IdentityStage.js';
import type { ImageAnalysis } from '../types.js';

/** What callers need from the engine: a FaceEngine in-process, or an EnginePool of worker threads. */
export interface PhotoAnalyzer {
  readonly modelSetId: string;
  readonly config: EngineConfig;
  analyze(bytes: Uint8Array): Promise<ImageAnalysis>;
  embedAligned(bytes: Uint8Array): Promise<Float32Array>;
  /** Embedding and (fused mode) descriptor of a photo already aligned to the ArcFace 112x112 template. */
  describeAligned(bytes: Uint8Array): Promise<FaceIdentity>;
  close(): Promise<void>;
}
