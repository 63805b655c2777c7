/**
 * Synthetic enrolled people, to stand in for the thousands of identities the development sets do
 * not have. Each is a random identity centre drawn with the measured between-identity statistics of
 * real embeddings (both embedders' vectors jointly, so their correlation is kept), seen through
 * real within-identity variation: its reference faces are the centre plus residuals (face minus its
 * identity's mean) of real faces, normalised per embedder, and its template is built from k of them
 * as the product builds one.
 *
 *   centre = μ + g · (Σ_c w_c D_c + sqrt(β) Σ_i v_i R_i + sqrt(λ) ξ)
 *   w_c ~ N(0, 1/(n−1)),  v_i ~ N(0, 1/m),  ξ ~ N(0, I)
 *
 * μ and D_c are the mean and the deviations of the n real identities' centres, so Σ w_c D_c has
 * exactly their between-identity covariance. That covariance has rank n − 1 only (n is 50 here, a
 * population has far more ways to differ), so the rest is modelled: β times the within-identity
 * covariance (R_i, the m residuals; faces vary in the directions identities do too) and an
 * isotropic part λ (a fraction of the measured per-dimension between variance); g = sqrt(dof /
 * χ²(dof)) (Student's t) lets some identities sit closer to the mean face than a Gaussian allows.
 * The knobs are fitted so synthetic people score against real strangers' faces like real people
 * do (manyPeopleProxy.ts).
 */
import type { PersonModel } from '../../core/decide/PeopleMatrix.js';
import { type FaceVectors, type PersonTemplate, templateOf } from '../../core/match/fusion.js';
import { seededRng } from '../../core/util/seededRng.js';
import type { BenchFace } from './benchFace.js';

export interface IdentitySpace {
  /** Dimensions of the embedding and descriptor parts (descriptor 0 in fast mode). */
  embeddingDim: number;
  descriptorDim: number;
  mean: Float64Array;
  deviations: Float32Array[];
  residuals: Float32Array[];
  /** Per-dimension between-identity variance of each part. */
  betweenVariance: [number, number];
  identities: number;
  /**
   * The same identities by domain (the set their photos come from: studio shots, web photos,
   * aligned crops): its mean, its share of the identities, its faces' residuals; and every identity
   * centre minus its own domain's mean.
   */
  domains: { name: string; mean: Float64Array; share: number; residuals: Float32Array[] }[];
  domainDeviations: Float32Array[];
}

const joint = (v: FaceVectors, descriptorDim: number): Float64Array => {
  const out = new Float64Array(v.embedding.length + descriptorDim);
  out.set(v.embedding);
  if (descriptorDim && v.descriptor) out.set(v.descriptor, v.embedding.length);
  return out;
};

/** The between- and within-identity structure of labelled faces. */
export const identitySpace = (faces: readonly BenchFace[]): IdentitySpace => {
  const named = faces.filter((f) => f.identity !== null);
  const embeddingDim = named[0]?.vectors.embedding.length ?? 0;
  const descriptorDim = named.every((f) => f.vectors.descriptor)
    ? (named[0]?.vectors.descriptor?.length ?? 0)
    : 0;
  const D = embeddingDim + descriptorDim;
  const byId = new Map<string, { set: string; xs: Float64Array[] }>();
  for (const f of named) {
    const e = byId.get(f.identity!) ?? { set: f.set, xs: [] };
    e.xs.push(joint(f.vectors, descriptorDim));
    byId.set(f.identity!, e);
  }
  const centres: Float64Array[] = [];
  const centreSets: string[] = [];
  const residuals: Float32Array[] = [];
  const residualSets: string[] = [];
  for (const { set, xs } of byId.values()) {
    const m = new Float64Array(D);
    for (const x of xs) for (let d = 0; d < D; d++) m[d]! += x[d]! / xs.length;
    centres.push(m);
    centreSets.push(set);
    if (xs.length > 1)
      for (const x of xs) {
        residuals.push(Float32Array.from(x, (v, d) => v - m[d]!));
        residualSets.push(set);
      }
  }
  const domainNames = [...new Set(centreSets)].sort();
  const domains = domainNames.map((name) => {
    const own = centres.filter((_, i) => centreSets[i] === name);
    const mean = new Float64Array(D);
    for (const c of own) for (let d = 0; d < D; d++) mean[d]! += c[d]! / own.length;
    return {
      name,
      mean,
      share: own.length / centres.length,
      residuals: residuals.filter((_, i) => residualSets[i] === name),
    };
  });
  const domainDeviations = centres.map((c, i) => {
    const m = domains.find((x) => x.name === centreSets[i])!.mean;
    return Float32Array.from(c, (v, d) => v - m[d]!);
  });
  const n = centres.length;
  const mean = new Float64Array(D);
  for (const c of centres) for (let d = 0; d < D; d++) mean[d]! += c[d]! / n;
  const deviations = centres.map((c) => Float32Array.from(c, (v, d) => v - mean[d]!));
  const variance = (lo: number, hi: number): number => {
    if (hi <= lo || n < 2) return 0;
    let s = 0;
    for (const dv of deviations) for (let d = lo; d < hi; d++) s += dv[d]! ** 2;
    return s / (n - 1) / (hi - lo);
  };
  return {
    embeddingDim,
    descriptorDim,
    mean,
    deviations,
    residuals,
    betweenVariance: [variance(0, embeddingDim), variance(embeddingDim, D)],
    identities: n,
    domains,
    domainDeviations,
  };
};

export interface SyntheticParams {
  /** Within-identity covariance added to the between-identity one, as a multiple of it. */
  within: number;
  /** Isotropic between-identity variance as a fraction of the measured per-dimension one. */
  isotropic: number;
  /** Degrees of freedom of the identity scale mixture; Infinity = Gaussian. */
  dof: number;
  /**
   * Draw each synthetic person inside one domain (its mean, the domain-centred identity
   * deviations, that domain's residuals), domains in the real people's proportions.
   */
  domains: boolean;
}

const gaussian = (rng: () => number): (() => number) => {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u <= 1e-12) u = rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
};

const normalised = (x: Float64Array, lo: number, hi: number): Float32Array => {
  let s = 0;
  for (let d = lo; d < hi; d++) s += x[d]! ** 2;
  const n = Math.sqrt(s) || 1;
  const out = new Float32Array(hi - lo);
  for (let d = lo; d < hi; d++) out[d - lo] = x[d]! / n;
  return out;
};

/** `count` synthetic people (threshold 0: calibrate them like real ones), each from k references. */
export const syntheticPeople = (
  space: IdentitySpace,
  params: SyntheticParams,
  count: number,
  k: number,
  seed: number,
  prefix = 'synthetic',
): PersonModel[] => {
  const rng = seededRng(seed);
  const normal = gaussian(rng);
  const E = space.embeddingDim;
  const D = E + space.descriptorDim;
  const n = space.deviations.length;
  const wScale = 1 / Math.sqrt(Math.max(1, n - 1));
  const m = space.residuals.length;
  const vScale = Math.sqrt(params.within / Math.max(1, m));
  const iso = [
    Math.sqrt(params.isotropic * space.betweenVariance[0]),
    Math.sqrt(params.isotropic * space.betweenVariance[1]),
  ];
  const out: PersonModel[] = [];
  const centre = new Float64Array(D);
  const face = new Float64Array(D);
  for (let p = 0; p < count; p++) {
    let g = 1;
    if (Number.isFinite(params.dof)) {
      let chi = 0;
      for (let i = 0; i < params.dof; i++) chi += normal() ** 2;
      g = Math.sqrt(params.dof / chi);
    }
    centre.fill(0);
    let domain: IdentitySpace['domains'][number] | undefined;
    if (params.domains) {
      let r = rng();
      domain = space.domains.at(-1);
      for (const d of space.domains) {
        if (r < d.share) {
          domain = d;
          break;
        }
        r -= d.share;
      }
    }
    const mean = domain?.mean ?? space.mean;
    const pool = domain?.residuals.length ? domain.residuals : space.residuals;
    for (const dv of params.domains ? space.domainDeviations : space.deviations) {
      const w = normal() * wScale;
      for (let d = 0; d < D; d++) centre[d]! += w * dv[d]!;
    }
    if (vScale > 0)
      for (const r of space.residuals) {
        const v = normal() * vScale;
        for (let d = 0; d < D; d++) centre[d]! += v * r[d]!;
      }
    for (let d = 0; d < D; d++) {
      const s = d < E ? iso[0]! : iso[1]!;
      centre[d] = mean[d]! + g * (centre[d]! + (s > 0 ? s * normal() : 0));
    }
    const refs: FaceVectors[] = [];
    for (let r = 0; r < k; r++) {
      const res = pool[Math.floor(rng() * pool.length)]!;
      for (let d = 0; d < D; d++) face[d] = centre[d]! + res[d]!;
      refs.push(
        space.descriptorDim
          ? { embedding: normalised(face, 0, E), descriptor: normalised(face, E, D) }
          : { embedding: normalised(face, 0, E) },
      );
    }
    const template: PersonTemplate = templateOf(refs);
    out.push({ name: `${prefix}/${p}`, template, threshold: 0 });
  }
  return out;
};
