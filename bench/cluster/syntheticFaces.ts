/**
 * Synthetic faces for the scale runs: identities as random unit centres (with a small shared
 * component, so different people score about 0.05 like real embeddings, not 0), faces as the
 * centre plus Gaussian noise. Noise 0.5-1.0 gives same-person cosines of about 0.5-0.8; one face
 * in seven is "low quality" (noisier, small, quality < 0.5). Identity sizes are heavy-tailed, as in
 * a photo library: a few people with thousands of faces, many with a handful, and strangers seen
 * once. Seeded: the same call gives the same faces.
 */
import type { ClusterFace } from '../../core/cluster/clusterTypes.js';
import { seededRng } from '../../core/util/seededRng.js';

export interface SyntheticSet {
  faces: ClusterFace[];
  labels: string[];
  identities: number;
  /** Faces of identities seen only once. */
  strangers: number;
}

const SHARED = 0.05;

export const syntheticFaces = (n: number, dim: number, seed: number): SyntheticSet => {
  const rng = seededRng(seed);
  const gauss = (): number => {
    const u = 1 - rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };
  const unit = (v: Float32Array): Float32Array => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
    const k = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i]! *= k;
    return v;
  };
  const shared = unit(Float32Array.from({ length: dim }, gauss));
  const faces: ClusterFace[] = [];
  const labels: string[] = [];
  let identities = 0;
  let strangers = 0;
  const noise = new Float32Array(dim);
  while (faces.length < n) {
    // Pareto-like sizes (alpha ~1.1, min 1): median 2, a long tail up to the cap.
    const size = Math.min(n - faces.length, 3000, Math.floor(1 / (1 - rng()) ** (1 / 1.1)));
    const centre = Float32Array.from({ length: dim }, gauss);
    unit(centre);
    for (let i = 0; i < dim; i++)
      centre[i] = Math.sqrt(1 - SHARED) * centre[i]! + Math.sqrt(SHARED) * shared[i]!;
    unit(centre);
    const label = `p${identities++}`;
    if (size === 1) strangers++;
    for (let f = 0; f < size; f++) {
      const low = rng() < 1 / 7;
      const sigma = low ? 1.0 + 0.5 * rng() : 0.5 + 0.5 * rng();
      for (let i = 0; i < dim; i++) noise[i] = gauss();
      const k = sigma / Math.sqrt(dim);
      const e = new Float32Array(dim);
      for (let i = 0; i < dim; i++) e[i] = centre[i]! + k * noise[i]!;
      unit(e);
      const id = `f${String(faces.length).padStart(7, '0')}`;
      faces.push({
        id,
        embedding: e,
        quality: low ? 0.2 + 0.3 * rng() : 0.6 + 0.4 * rng(),
        size: low ? 20 + Math.floor(20 * rng()) : 60 + Math.floor(200 * rng()),
      });
      labels.push(label);
    }
  }
  return { faces, labels, identities, strangers };
};
