import { dot, meanDirection } from './similarity.js';

/**
 * Scoring a face against a person with both identity models. Each model's cosine similarity to
 * the person's template is mapped onto ONE scale, the first embedder's cosine scale (where the
 * default threshold 0.40 lives), and fused by a weighted sum:
 *
 *   score = embeddingWeight * cos(embedding, centroid)
 *         + descriptorWeight * cos(descriptor, descriptorCentroid) + offset
 *
 * The weights fix the direction (how much each model counts) and the scale and offset map the
 * sum back onto the first embedder's scale: they were fitted so the fused impostor scores' upper
 * tail (FAR 1e-2 … 1e-4) sits where the first embedder's does. A threshold therefore means about
 * the same false-match rate whether a face is scored fused or, when either side has no descriptor
 * (fast mode, an old gallery), by the first embedder alone: the fallback is its plain cosine.
 */
export interface FusionWeights {
  embeddingWeight: number;
  descriptorWeight: number;
  offset: number;
}

/** A person's template: the normalised mean of their references' vectors. */
export interface PersonTemplate {
  /** Mean direction of the references' 512-d embeddings. */
  centroid: Float32Array;
  /** Mean direction of their 128-d descriptors; absent when any reference has none. */
  descriptorCentroid?: Float32Array;
}

/** The identity vectors of one face (a Face satisfies this). */
export interface FaceVectors {
  embedding: Float32Array;
  descriptor?: Float32Array;
}

/**
 * Fitted by `npm run bench:accuracy` (bench/accuracy/secondEmbedder.ts, "fusion fit") on
 * ../shared/datasets, 2026-12-02 (BENCHMARKS.md "Second embedder"): descriptor share w = 0.35 of
 * the tail-mapped cosines maximised the mean of many-people correct identifications at 1 %
 * strangers named (1 and 5 references) and glint24 TAR at FAR 1e-4 (the optimum is flat over
 * w = 0.25…0.45); the blend was then mapped onto the first embedder's impostor tail on the
 * 5-reference many-people trials (414k impostor scores).
 */
export const FUSION_WEIGHTS: FusionWeights = Object.freeze({
  embeddingWeight: 0.6849,
  descriptorWeight: 2.7499,
  offset: -2.4239,
});

/** Builds a template from reference faces; the descriptor centroid only when every reference has one. */
export const templateOf = (references: readonly FaceVectors[]): PersonTemplate => {
  if (references.length === 0) throw new RangeError('a template needs at least one reference');
  const centroid = meanDirection(references.map((r) => r.embedding));
  const descriptors = references.map((r) => r.descriptor);
  if (descriptors.some((d) => d === undefined)) return { centroid };
  return { centroid, descriptorCentroid: meanDirection(descriptors as Float32Array[]) };
};

/** Whether a face and a template can be scored with both models. */
export const isFused = (face: FaceVectors, template: PersonTemplate): boolean =>
  face.descriptor !== undefined && template.descriptorCentroid !== undefined;

/** A face's score against one person on the first embedder's scale (see the module comment). */
export const fusedScore = (
  face: FaceVectors,
  template: PersonTemplate,
  weights: FusionWeights = FUSION_WEIGHTS,
): number => {
  const e = dot(face.embedding, template.centroid);
  if (face.descriptor === undefined || template.descriptorCentroid === undefined) return e;
  return (
    weights.embeddingWeight * e +
    weights.descriptorWeight * dot(face.descriptor, template.descriptorCentroid) +
    weights.offset
  );
};

/**
 * Scores of every face against every person: row-major, `faces.length` rows of
 * `templates.length`, entry [i * templates.length + j] = fusedScore(faces[i], templates[j]).
 */
export const scoreMatrix = (
  faces: readonly FaceVectors[],
  templates: readonly PersonTemplate[],
  weights: FusionWeights = FUSION_WEIGHTS,
): Float32Array => {
  const out = new Float32Array(faces.length * templates.length);
  faces.forEach((f, i) => {
    templates.forEach((t, j) => {
      out[i * templates.length + j] = fusedScore(f, t, weights);
    });
  });
  return out;
};
