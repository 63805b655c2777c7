/**
 * The many-people folds searched with every probe face at each size: as it is in its dataset
 * (level 0) and shrunk to each height of smallFaces.ts. The people are enrolled from full-size
 * references and calibrated on the full-size library, as a real library mostly holds the photos
 * people were enrolled from; only the searched faces get small.
 */
import { type DecidableFace, type FaceCondition, faceConditionOf } from '../../core/decide/faceCondition.js';
import type { PeopleMatrix } from '../../core/decide/PeopleMatrix.js';
import type { FaceVectors } from '../../core/match/fusion.js';
import type { BenchFace } from './benchFace.js';
import { foldPeople } from './foldPeople.js';
import type { Probe } from './probeCounts.js';
import { referenceFolds } from './referenceFolds.js';
import type { SizedFace } from './smallFaces.js';
import type { ThresholdRule } from './thresholdRules.js';

export interface SizedProbeSet {
  fold: number;
  /** 0 = as in the dataset, else the target face height in pixels. */
  level: number;
  matrix: PeopleMatrix;
  probes: Probe[];
  /** Probes that had to be found at this level (their face is larger than it), by set. */
  attempted: Map<string, number>;
}

/** Records by BenchFace key, then by level. */
export const sizedByKey = (sized: readonly SizedFace[]): Map<string, Map<number, SizedFace>> => {
  const out = new Map<string, Map<number, SizedFace>>();
  for (const s of sized) {
    const m = out.get(s.key) ?? new Map<number, SizedFace>();
    m.set(s.height, s);
    out.set(s.key, m);
  }
  return out;
};

/** What the decision core knows about a face as it is: its box and points from the re-analysis. */
export const naturalCondition = (f: BenchFace, s: SizedFace | undefined): FaceCondition => {
  const c = faceConditionOf({
    ...f.vectors,
    quality: f.quality,
    ...(s?.found && s.points ? { points: s.points } : {}),
  });
  return { ...c, height: f.size };
};

/**
 * The library's faces as the engine would hand them to the decision core: vectors plus a box of the
 * face's height, its quality and (where the re-analysis found it) its five points.
 */
export const withConditions = (
  faces: readonly BenchFace[],
  sized: ReadonlyMap<string, ReadonlyMap<number, SizedFace>>,
): BenchFace[] =>
  faces.map((f) => {
    const s = sized.get(f.key)?.get(0);
    return {
      ...f,
      vectors: {
        ...f.vectors,
        box: { x1: 0, y1: 0, x2: f.size, y2: f.size },
        quality: f.quality,
        ...(s?.found && s.points ? { points: s.points } : {}),
      } as DecidableFace,
    };
  });

export const sizedCondition = (s: SizedFace): FaceCondition =>
  faceConditionOf({
    embedding: new Float32Array(0),
    quality: s.quality,
    ...(s.box ? { box: s.box } : {}),
    ...(s.points ? { points: s.points } : {}),
  });

/** A face's vectors in the embed mode of the library it is compared with (fast: no descriptor). */
const inMode = (v: FaceVectors, fused: boolean): FaceVectors =>
  fused && v.descriptor ? { embedding: v.embedding, descriptor: v.descriptor } : { embedding: v.embedding };

export const sizedProbeSets = (o: {
  library: readonly BenchFace[];
  sized: ReadonlyMap<string, ReadonlyMap<number, SizedFace>>;
  modelSetId: string;
  k: number;
  folds: number;
  levels: readonly number[];
  rule: ThresholdRule;
}): SizedProbeSet[] => {
  const fused = o.library.some((f) => f.vectors.descriptor !== undefined);
  const out: SizedProbeSet[] = [];
  for (const fold of referenceFolds(o.library, o.k, o.folds)) {
    const { matrix } = foldPeople(fold.references, o.library, o.modelSetId, o.rule);
    for (const level of o.levels) {
      const faces: { vectors: FaceVectors; condition: FaceCondition; truth: number; set: string }[] = [];
      const attempted = new Map<string, number>();
      for (const f of fold.probes) {
        const truth = f.identity === null ? -1 : matrix.indexOf(f.identity);
        const records = o.sized.get(f.key);
        if (level === 0) {
          faces.push({
            vectors: f.vectors,
            condition: naturalCondition(f, records?.get(0)),
            truth,
            set: f.set,
          });
          attempted.set(f.set, (attempted.get(f.set) ?? 0) + 1);
          continue;
        }
        const s = records?.get(level);
        if (!s) continue;
        attempted.set(f.set, (attempted.get(f.set) ?? 0) + 1);
        if (!s.found || !s.vectors) continue;
        faces.push({ vectors: inMode(s.vectors, fused), condition: sizedCondition(s), truth, set: f.set });
      }
      const S = matrix.score(faces.map((x) => x.vectors));
      const P = matrix.size;
      out.push({
        fold: fold.fold,
        level,
        matrix,
        attempted,
        probes: faces.map((x, i) => ({
          truth: x.truth,
          condition: x.condition,
          row: S.subarray(i * P, (i + 1) * P),
          set: x.set,
        })),
      });
    }
  }
  return out;
};
