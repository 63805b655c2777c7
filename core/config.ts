import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** Which identity models run on every face. */
export const EmbedMode = {
  /** Both: the 512-d embedding and the 128-d face-api descriptor, fused when scoring. */
  Fused: 'fused',
  /** The 512-d embedding only (no descriptor): cheaper, less accurate with many people. */
  Fast: 'fast',
} as const;
export type EmbedMode = (typeof EmbedMode)[keyof typeof EmbedMode];

/** Test-time flip: which models also see the mirrored crop (the two outputs are averaged). */
export const FlipMode = {
  None: 'none',
  Embedding: 'embedding',
  Descriptor: 'descriptor',
  Both: 'both',
} as const;
export type FlipMode = (typeof FlipMode)[keyof typeof FlipMode];

/**
 * Every tunable of the engine, with its default and why. Parse partial user input with
 * `resolveEngineConfig`; the result is complete and frozen.
 */
export const engineConfigSchema = z.object({
  decode: z
    .object({
      /** Decompression-bomb guard: images with more pixels than this are refused (100 MP). */
      maxPixels: z.number().int().positive().default(100_000_000),
      /** Files larger than this are refused before decoding (200 MiB). */
      maxFileBytes: z
        .number()
        .int()
        .positive()
        .default(200 * 1024 * 1024),
      /**
       * Long side of the in-memory analysis image. Faces are cropped from it; 2048 keeps a
       * 48 px face in a 12 MP photo at 24 px (still alignable) while shrink-on-load keeps decoding cheap.
       */
      analysisMaxSide: z.number().int().min(320).default(2048),
    })
    .prefault({}),
  detect: z
    .object({
      /** Smallest face (height in original pixels) the tiled passes must still find. */
      minFaceSize: z.number().positive().default(48),
      /** Face height in detector-input pixels that the detector still finds reliably. */
      detectorMinFace: z.number().positive().default(15),
      /** Finest tile grid allowed (n x n before overlap); caps cost on huge photos. */
      maxGrid: z.number().int().min(1).default(4),
      /** Fractional overlap between neighbouring tiles so a face cut by one tile is whole in another. */
      tileOverlap: z.number().min(0).max(0.5).default(0.25),
      /** Detector score needed in the full-frame pass. */
      scoreThreshold: z.number().min(0).max(1).default(0.65),
      /** Tiles see more clutter at higher zoom: they need a higher score. */
      tileScoreThreshold: z.number().min(0).max(1).default(0.8),
      /** IoU above which two detections are the same face. */
      nmsIou: z.number().min(0).max(1).default(0.4),
      /** Intersection over the smaller box above which the smaller (a partial face) is dropped. */
      nmsContainment: z.number().min(0).max(1).default(0.7),
      /**
       * Border (fraction of each side, edge pixels repeated) for an extra full-frame pass that
       * finds faces filling a tight crop; 0 turns the pass off. Measured: ORL 92x112 shots 397/400 → 400/400.
       */
      paddedPass: z.number().min(0).max(1).default(0.5),
      /** Upper bound on faces analysed per photo (crowds), largest first. */
      maxFaces: z.number().int().positive().default(64),
    })
    .prefault({}),
  align: z
    .object({
      /** Roll estimates (degrees) from differently rotated landmark crops this close count as agreeing. */
      rollAgreement: z.number().min(1).max(90).default(20),
      /** Faces whose landmark geometry scores below this are dropped as false detections. */
      minGeometry: z.number().min(0).max(1).default(0.5),
    })
    .prefault({}),
  embed: z
    .object({
      /**
       * Measured (BENCHMARKS.md "Second embedder"): fused lifts glint24 TAR at FAR 1e-4 74.1 → 76.2 %
       * and many-people correct identifications at 1 % strangers named 88.8 → 90.7 % (1 reference)
       * for 2-9 % more CPU per 2 MP photo (the descriptor is small beside the 512-d embedder).
       */
      mode: z.enum([EmbedMode.Fused, EmbedMode.Fast]).default(EmbedMode.Fused),
      /**
       * Also embed the mirrored crop and average. Measured: +1 point of glint24 TAR at 1e-4 for the
       * fused score, little on identification, more strangers named at 0.40; flipping the 512-d
       * embedder costs +45-55 % CPU, the descriptor +2-4 %. Off by default.
       */
      flip: z
        .enum([FlipMode.None, FlipMode.Embedding, FlipMode.Descriptor, FlipMode.Both])
        .default(FlipMode.None),
      /**
       * Descriptor crop: upright similarity-aligned onto face-api's framing, or face-api's own
       * axis-aligned square. Measured (bench:accuracy --framing): aligned beat box on the
       * many-people protocol (k=1 correct at 1 % strangers 78.5 vs 76.5 %), equal on glint24.
       */
      descriptorFraming: z.enum(['aligned', 'box']).default('aligned'),
      /**
       * Descriptor crop size relative to face-api's framing (> 1 shows more context). Measured:
       * 1.0 best; 0.9, 1.1 and 1.25 lost 2, 9 and 33 points of glint24 TAR at FAR 1e-4.
       */
      descriptorZoom: z.number().min(0.5).max(2).default(1),
    })
    .prefault({}),
  runtime: z
    .object({
      /** Concurrent photos in flight; one per core keeps both decode and inference busy. */
      lanes: z.number().int().positive().default(Math.max(1, availableParallelism())),
      intraOpThreads: z.number().int().positive().default(1),
      device: z.enum(['cpu', 'cuda']).default('cpu'),
      /** Faces per embedder call. */
      embedBatch: z.number().int().positive().default(16),
    })
    .prefault({}),
});

export type EngineConfig = z.output<typeof engineConfigSchema>;
export type EngineConfigInput = z.input<typeof engineConfigSchema>;

export const resolveEngineConfig = (input: EngineConfigInput = {}): EngineConfig => {
  const parsed = engineConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`Invalid engine configuration: ${parsed.error.message}`);
  return Object.freeze(parsed.data);
};
