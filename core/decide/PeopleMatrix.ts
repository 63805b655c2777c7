import {
  type FaceVectors,
  FUSION_WEIGHTS,
  type FusionWeights,
  type PersonTemplate,
} from '../match/fusion.js';

/** Everything the decision needs about one person. */
export interface PersonModel {
  name: string;
  template: PersonTemplate;
  /** Score needed for a face to be this person (see thresholds.ts). */
  threshold: number;
  /**
   * Faces a person said are NOT this person. A face this close to one of them is the same face seen
   * again (the same photo elsewhere, a re-encode) and is never given to the person.
   */
  negatives?: readonly Float32Array[];
  /**
   * The person's impostor cohort: median and robust spread (1.4826 MAD) of their template's scores
   * against library faces that are not them (thresholds.ts). Lets decisions compare people in
   * cohort units (DecisionPolicy.normalised).
   */
  cohort?: CohortStats;
}

export interface CohortStats {
  median: number;
  spread: number;
}

/** Cosine above which a face is the same face instance as a rejected one. */
export const SAME_FACE_COSINE = 0.9;

/**
 * All enrolled people as contiguous matrices: one row per person of the 512-d template, of the
 * 128-d descriptor template (zeros where a person has none) and their thresholds. Scoring every face
 * against every person is then a matrix product over flat Float32Arrays, ready for thousands of people.
 */
export class PeopleMatrix {
  readonly names: readonly string[];
  readonly size: number;
  readonly dim: number;
  readonly templates: Float32Array;
  readonly descriptorDim: number;
  readonly descriptors: Float32Array;
  readonly hasDescriptor: Uint8Array;
  readonly thresholds: Float32Array;
  readonly negatives: readonly (readonly Float32Array[])[];
  /** Each person's cohort median and spread (NaN where a person has none). */
  readonly centres: Float32Array;
  readonly spreads: Float32Array;
  /** Whether every person has cohort statistics (a positive spread), so z-scores compare across people. */
  readonly normalisable: boolean;
  readonly #index: Map<string, number>;

  private constructor(people: readonly PersonModel[], dim: number, descriptorDim: number) {
    this.names = people.map((p) => p.name);
    this.size = people.length;
    this.dim = dim;
    this.descriptorDim = descriptorDim;
    this.templates = new Float32Array(this.size * dim);
    this.descriptors = new Float32Array(this.size * descriptorDim);
    this.hasDescriptor = new Uint8Array(this.size);
    this.thresholds = new Float32Array(this.size);
    this.negatives = people.map((p) => p.negatives ?? []);
    this.centres = Float32Array.from(people, (p) => p.cohort?.median ?? Number.NaN);
    this.spreads = Float32Array.from(people, (p) => p.cohort?.spread ?? Number.NaN);
    this.normalisable =
      people.length > 0 && this.spreads.every((s, j) => s > 0 && Number.isFinite(this.centres[j]!));
    this.#index = new Map(people.map((p, i) => [p.name, i]));
    people.forEach((p, i) => {
      this.templates.set(p.template.centroid, i * dim);
      const d = p.template.descriptorCentroid;
      if (d && d.length === descriptorDim) {
        this.descriptors.set(d, i * descriptorDim);
        this.hasDescriptor[i] = 1;
      }
      this.thresholds[i] = p.threshold;
    });
  }

  static build(people: readonly PersonModel[]): PeopleMatrix {
    const names = new Set<string>();
    for (const p of people) {
      if (names.has(p.name)) throw new RangeError(`person ${p.name} appears twice`);
      names.add(p.name);
    }
    const dim = people[0]?.template.centroid.length ?? 0;
    if (people.some((p) => p.template.centroid.length !== dim))
      throw new RangeError('people templates have different lengths');
    const descriptorDim =
      people.find((p) => p.template.descriptorCentroid)?.template.descriptorCentroid?.length ?? 0;
    return new PeopleMatrix(people, dim, descriptorDim);
  }

  indexOf(name: string): number {
    return this.#index.get(name) ?? -1;
  }

  /**
   * Scores of every face against every person, row-major (face i, person j at i * size + j), on the
   * first embedder's scale: the fused score where both the face and the person have descriptors,
   * else the plain cosine (core/match/fusion.ts explains why one threshold fits both).
   */
  score(faces: readonly FaceVectors[], weights: FusionWeights = FUSION_WEIGHTS): Float32Array {
    const P = this.size;
    const out = new Float32Array(faces.length * P);
    const D = this.dim;
    const DD = this.descriptorDim;
    const T = this.templates;
    const TD = this.descriptors;
    for (let i = 0; i < faces.length; i++) {
      const e = faces[i]!.embedding;
      const d = faces[i]!.descriptor;
      const fused = d !== undefined && d.length === DD && DD > 0;
      const row = i * P;
      for (let j = 0; j < P; j++) {
        let s = 0;
        const base = j * D;
        for (let k = 0; k < D; k++) s += e[k]! * T[base + k]!;
        if (fused && this.hasDescriptor[j]) {
          let sd = 0;
          const dbase = j * DD;
          for (let k = 0; k < DD; k++) sd += d[k]! * TD[dbase + k]!;
          s = weights.embeddingWeight * s + weights.descriptorWeight * sd + weights.offset;
        }
        out[row + j] = s;
      }
    }
    return out;
  }

  /** A score for person j in units of their cohort: (score − median) / spread (NaN without statistics). */
  z(person: number, score: number): number {
    return (score - this.centres[person]!) / this.spreads[person]!;
  }

  /** Whether `embedding` is (nearly) a face the person rejected. */
  isRejectedFace(person: number, embedding: Float32Array): boolean {
    for (const n of this.negatives[person] ?? []) {
      let s = 0;
      for (let k = 0; k < n.length; k++) s += n[k]! * embedding[k]!;
      if (s >= SAME_FACE_COSINE) return true;
    }
    return false;
  }
}
