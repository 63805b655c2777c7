import { z } from 'zod';
import { GalleryError } from '../errors.js';
import type { Box, Face } from '../types.js';
import { embeddingProblem } from './checkEmbedding.js';
import { templateOf } from './fusion.js';
import { personNameProblem } from './personName.js';
import { dot, l2Normalize } from './similarity.js';

export const GALLERY_VERSION = 1;

export interface GalleryReference {
  /** Where the reference came from (file path or object key), for the user's benefit. */
  source: string;
  sha256: string;
  box: Box;
  quality: number;
  embedding: Float32Array;
  /** The second embedder's descriptor, when the engine ran in fused mode. */
  descriptor?: Float32Array;
}

/** A face a person said is not them (a review's "not this person"), carried with their gallery. */
export interface GalleryNegative {
  source: string;
  embedding: Float32Array;
}

export interface RejectedReference {
  source: string;
  reason: string;
  /** Median similarity to the accepted references, when that is why it was rejected. */
  agreement?: number;
}

export interface Gallery {
  version: typeof GALLERY_VERSION;
  person: string;
  modelSetId: string;
  createdAt: string;
  /** Per-person threshold (calibrated); absent means the engine default. */
  threshold?: number;
  /** How `threshold` was chosen, e.g. by a teacher; free-form provenance. */
  calibration?: Record<string, unknown>;
  references: GalleryReference[];
  rejected: RejectedReference[];
  /** Faces people said are not this person; never given to them again. */
  negatives?: GalleryNegative[];
  /** L2-normalised mean of the references: the person's template. */
  centroid: Float32Array;
  /** L2-normalised mean of the references' descriptors, when every reference has one. */
  descriptorCentroid?: Float32Array;
}

export interface BuildGalleryOptions {
  /**
   * A reference whose median similarity to the others is below this is rejected as a different
   * person (or a bad crop). Set well under the match threshold: references of one person vary.
   */
  minAgreement: number;
  now?: Date;
}

export interface ReferenceCandidate {
  source: string;
  sha256: string;
  face: Face;
}

/** The face a reference photo stands for: the largest, weighted by quality so a sharp face beats a blur. */
export const pickReferenceFace = (faces: readonly Face[]): Face | undefined => {
  let best: Face | undefined;
  let bestKey = -1;
  for (const f of faces) {
    const key = (f.box.y2 - f.box.y1) * (f.box.x2 - f.box.x1) * f.quality;
    if (key > bestKey) {
      best = f;
      bestKey = key;
    }
  }
  return best;
};

export const centroidOf = (embeddings: readonly Float32Array[]): Float32Array => {
  if (embeddings.length === 0) throw new GalleryError('cannot build a template from no embeddings');
  const c = new Float32Array(embeddings[0]!.length);
  for (const e of embeddings) for (let i = 0; i < c.length; i++) c[i]! += e[i]!;
  l2Normalize(c);
  return c;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Builds a person's gallery from one face per reference photo. With three or more references
 * the one that agrees least with the rest is dropped while it is below `minAgreement`; with two
 * that disagree there is no majority, so both are kept and the caller is told via `warnings`.
 */
export const buildGallery = (
  person: string,
  modelSetId: string,
  candidates: readonly ReferenceCandidate[],
  rejectedUpstream: readonly RejectedReference[],
  options: BuildGalleryOptions,
): { gallery: Gallery; warnings: string[] } => {
  const warnings: string[] = [];
  const accepted = [...candidates];
  const rejected: RejectedReference[] = [...rejectedUpstream];
  const groups = agreeingGroups(accepted, options.minAgreement).filter((g) => g.length >= 2);
  if (groups.length >= 2) {
    const list = groups.map((g, i) => `  group ${i + 1}: ${g.map((c) => c.source).join(', ')}`).join('\n');
    throw new GalleryError(
      `the references of ${person} show more than one person (groups that do not resemble each other):\n${list}\nenrol each person from their own photos`,
    );
  }
  for (;;) {
    if (accepted.length < 3) break;
    const agreements = accepted.map((c, i) =>
      median(accepted.filter((_, j) => j !== i).map((o) => dot(c.face.embedding, o.face.embedding))),
    );
    let worst = 0;
    for (let i = 1; i < agreements.length; i++) if (agreements[i]! < agreements[worst]!) worst = i;
    if (agreements[worst]! >= options.minAgreement) break;
    const [out] = accepted.splice(worst, 1);
    rejected.push({
      source: out!.source,
      reason: 'face disagrees with the other references (a different person or a poor photo)',
      agreement: agreements[worst]!,
    });
  }
  if (accepted.length === 0) throw new GalleryError(`no usable reference face for ${person}`);
  if (
    accepted.length === 2 &&
    dot(accepted[0]!.face.embedding, accepted[1]!.face.embedding) < options.minAgreement
  ) {
    warnings.push(
      'the two references disagree with each other; add a third so the odd one out can be rejected',
    );
  }
  if (accepted.length < 3)
    warnings.push(`only ${accepted.length} usable reference(s); 3 or more make matching reliable`);
  const gallery: Gallery = {
    version: GALLERY_VERSION,
    person,
    modelSetId,
    createdAt: (options.now ?? new Date()).toISOString(),
    references: accepted.map((c) => ({
      source: c.source,
      sha256: c.sha256,
      box: c.face.box,
      quality: c.face.quality,
      embedding: c.face.embedding,
      ...(c.face.descriptor ? { descriptor: c.face.descriptor } : {}),
    })),
    rejected,
    ...templateFields(accepted.map((c) => c.face)),
  };
  return { gallery, warnings };
};

/** The template of a set of references: centroid, and the descriptor centroid when all have one. */
export const templateFields = (
  refs: readonly { embedding: Float32Array; descriptor?: Float32Array | undefined }[],
): { centroid: Float32Array; descriptorCentroid?: Float32Array } => {
  const t = templateOf(
    refs.map((r) =>
      r.descriptor ? { embedding: r.embedding, descriptor: r.descriptor } : { embedding: r.embedding },
    ),
  );
  return t.descriptorCentroid
    ? { centroid: t.centroid, descriptorCentroid: t.descriptorCentroid }
    : { centroid: t.centroid };
};

/**
 * References linked by agreement (similarity at least `minAgreement`), as connected groups: two
 * groups of two or more that never agree are two people, which must not be blended into one template.
 */
const agreeingGroups = (
  candidates: readonly ReferenceCandidate[],
  minAgreement: number,
): ReferenceCandidate[][] => {
  const parent = candidates.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let i = 0; i < candidates.length; i++)
    for (let j = i + 1; j < candidates.length; j++)
      if (dot(candidates[i]!.face.embedding, candidates[j]!.face.embedding) >= minAgreement)
        parent[find(i)] = find(j);
  const groups = new Map<number, ReferenceCandidate[]>();
  candidates.forEach((c, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), c]);
  });
  return [...groups.values()];
};

/**
 * A face's score for a person: cosine similarity to the person's template (the normalised mean
 * of the references), which averages away pose and lighting of individual references.
 */
export const scoreFace = (gallery: Pick<Gallery, 'centroid'>, embedding: Float32Array): number =>
  dot(gallery.centroid, embedding);

/**
 * A photo matches when its best-scoring face passes the threshold; a person appears at most
 * once per photo, so only that one face is taken as them. Returns the index or -1.
 */
export const bestMatch = (scores: readonly number[], threshold: number): { index: number; score: number } => {
  let index = -1;
  let score = Number.NEGATIVE_INFINITY;
  scores.forEach((s, i) => {
    if (s > score) {
      score = s;
      index = i;
    }
  });
  return score >= threshold ? { index, score } : { index: -1, score };
};

const encodeEmbedding = (e: Float32Array): string =>
  Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('base64');

const decodeEmbedding = (s: string): Float32Array => {
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength === 0 || buf.byteLength % 4 !== 0) {
    throw new GalleryError('gallery embedding is not a whole number of float32 values');
  }
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
};

const boxSchema = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });
const galleryFileSchema = z.object({
  version: z.literal(GALLERY_VERSION),
  person: z.string().min(1),
  modelSetId: z.string().min(1),
  createdAt: z.string(),
  threshold: z.number().min(-1).max(1).optional(),
  calibration: z.record(z.string(), z.unknown()).optional(),
  references: z
    .array(
      z.object({
        source: z.string(),
        sha256: z.string(),
        box: boxSchema,
        quality: z.number(),
        embedding: z.string(),
        descriptor: z.string().optional(),
      }),
    )
    .min(1),
  rejected: z.array(z.object({ source: z.string(), reason: z.string(), agreement: z.number().optional() })),
  negatives: z.array(z.object({ source: z.string(), embedding: z.string() })).optional(),
});

export const serializeGallery = (g: Gallery): string =>
  `${JSON.stringify(
    {
      version: g.version,
      person: g.person,
      modelSetId: g.modelSetId,
      createdAt: g.createdAt,
      threshold: g.threshold,
      calibration: g.calibration,
      references: g.references.map((r) => ({
        ...r,
        embedding: encodeEmbedding(r.embedding),
        ...(r.descriptor ? { descriptor: encodeEmbedding(r.descriptor) } : {}),
      })),
      rejected: g.rejected,
      ...(g.negatives?.length
        ? {
            negatives: g.negatives.map((n) => ({
              source: n.source,
              embedding: encodeEmbedding(n.embedding),
            })),
          }
        : {}),
    },
    null,
    2,
  )}\n`;

/**
 * Parses a gallery file; refuses one made by other models, whose embeddings are not comparable,
 * and one whose embeddings are unusable (wrong length for `embeddingDim`, NaN, all zeros).
 */
export const parseGallery = (
  json: string,
  expectedModelSetId: string,
  origin = 'gallery',
  embeddingDim?: number,
): Gallery => {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (cause) {
    throw new GalleryError(`${origin} is not valid JSON`, { cause });
  }
  const parsed = galleryFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new GalleryError(`${origin} is not a mespotter gallery: ${parsed.error.message}`);
  const g = parsed.data;
  // The person becomes a folder name (sort --layout by-person) and a file name: never `..` or `a/b`.
  const nameProblem = personNameProblem(g.person);
  if (nameProblem) throw new GalleryError(`${origin}: ${nameProblem}`);
  if (g.modelSetId !== expectedModelSetId) {
    throw new GalleryError(
      `${origin} was made with models ${g.modelSetId} but the engine runs ${expectedModelSetId}; ` +
        're-enrol the person from their reference photos.',
    );
  }
  const references: GalleryReference[] = g.references.map((r, i) => {
    const embedding = decodeEmbedding(r.embedding);
    const problem = embeddingProblem(embedding, embeddingDim);
    if (problem)
      throw new GalleryError(
        `${origin}: the embedding of reference ${i + 1} (${r.source}) ${problem}; re-enrol the person`,
      );
    const descriptor = r.descriptor ? decodeEmbedding(r.descriptor) : undefined;
    const descriptorIssue = descriptor ? embeddingProblem(descriptor) : undefined;
    if (descriptorIssue)
      throw new GalleryError(
        `${origin}: the descriptor of reference ${i + 1} (${r.source}) ${descriptorIssue}; re-enrol the person`,
      );
    const { descriptor: _encoded, ...rest } = r;
    return { ...rest, embedding, ...(descriptor ? { descriptor } : {}) };
  });
  const negatives: GalleryNegative[] = (g.negatives ?? []).map((n, i) => {
    const embedding = decodeEmbedding(n.embedding);
    const problem = embeddingProblem(embedding, embeddingDim);
    if (problem) throw new GalleryError(`${origin}: negative ${i + 1} (${n.source}) ${problem}`);
    return { source: n.source, embedding };
  });
  const dim = references[0]!.embedding.length;
  if (references.some((r) => r.embedding.length !== dim)) {
    throw new GalleryError(`${origin} holds embeddings of different lengths; re-enrol the person`);
  }
  return {
    ...g,
    version: GALLERY_VERSION,
    references,
    negatives,
    ...templateFields(references),
  };
};
