import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelError } from '../errors.js';

/** The roles a model plays in the pipeline. */
export const ModelRole = {
  Detector: 'detector',
  Landmarks: 'landmarks',
  Embedder: 'embedder',
  /** The second, independent identity model (face-api's 128-d descriptor); optional in a manifest. */
  Descriptor: 'descriptor',
} as const;
export type ModelRole = (typeof ModelRole)[keyof typeof ModelRole];

const modelEntrySchema = z.object({
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Input shape with a symbolic batch dimension, e.g. ["N", 3, 240, 320]. */
  inputShape: z.array(z.union([z.number(), z.string()])),
  inputName: z.string(),
  outputNames: z.array(z.string()),
  /** Pixel normalisation: value = (v - mean) / std, per channel order. */
  preprocess: z.object({
    colour: z.enum(['rgb', 'grey']),
    mean: z.number(),
    std: z.number(),
  }),
  /** Where this model came from when it is not the manifest's main source package. */
  source: z.object({ package: z.string(), version: z.string(), license: z.string() }).optional(),
});
export type ModelEntry = z.infer<typeof modelEntrySchema>;

export const modelManifestSchema = z.object({
  version: z.literal(1),
  /** Identifies the exact weights; galleries and caches are only valid for the set that made them. */
  modelSetId: z.string(),
  source: z.object({ package: z.string(), version: z.string(), license: z.string() }),
  models: z.object({
    detector: modelEntrySchema,
    landmarks: modelEntrySchema,
    embedder: modelEntrySchema,
    descriptor: modelEntrySchema.optional(),
  }),
});
export type ModelManifest = z.infer<typeof modelManifestSchema>;

export const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Model set id from the weights' hashes, so any change of weights invalidates galleries and caches. */
export const computeModelSetId = (packageName: string, version: string, hashes: readonly string[]): string =>
  `${packageName}@${version}#${sha256Hex(Buffer.from(hashes.join(','))).slice(0, 12)}`;

/** A manifest plus the verified bytes of each model. */
export interface LoadedModels {
  manifest: ModelManifest;
  /** Every required role's bytes; the optional descriptor's when the manifest lists it. */
  bytes: Record<Exclude<ModelRole, typeof ModelRole.Descriptor>, Uint8Array> & { descriptor?: Uint8Array };
}

/**
 * Reads manifest.json and every model it lists from `dir`, verifying checksums so that a
 * truncated copy or a swapped file fails loudly here rather than giving silent wrong matches.
 */
/** Reads and validates manifest.json alone: enough for whoever needs the model-set id but runs no model. */
export const readManifest = async (dir: string): Promise<ModelManifest> => {
  const manifestPath = join(dir, 'manifest.json');
  let raw: string;
  try {
    raw = await readFile(manifestPath, 'utf8');
  } catch (cause) {
    throw new ModelError(
      `No model manifest at ${manifestPath}. Run "npm run build" (npm ci runs it) or set MESPOTTER_MODELS_DIR.`,
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (cause) {
    throw new ModelError(
      `Invalid model manifest ${manifestPath}: not valid JSON; rebuild with "npm run build".`,
      {
        cause,
      },
    );
  }
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new ModelError(`Invalid model manifest ${manifestPath}: ${parsed.error.message}`);
  return parsed.data;
};

export const loadModels = async (dir: string): Promise<LoadedModels> => {
  const manifest = await readManifest(dir);
  const bytes = {} as LoadedModels['bytes'];
  for (const role of Object.values(ModelRole)) {
    const entry = manifest.models[role];
    if (!entry) continue; // only optional roles may be absent: the schema requires the others
    const path = join(dir, entry.file);
    let data: Uint8Array;
    try {
      data = await readFile(path);
    } catch (cause) {
      throw new ModelError(`Model file missing: ${path} (${role}). Rebuild with "npm run build".`, {
        cause,
      });
    }
    const actual = sha256Hex(data);
    if (actual !== entry.sha256) {
      throw new ModelError(
        `Checksum mismatch for ${path} (${role}): expected sha256 ${entry.sha256}, got ${actual}. ` +
          'The file is corrupt or from another model set; rebuild with "npm run build".',
      );
    }
    bytes[role] = data;
  }
  return { manifest, bytes };
};
