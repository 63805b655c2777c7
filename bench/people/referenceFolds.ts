/**
 * The many-people protocol on the people benchmark's faces (as bench/accuracy/identityProtocols.ts
 * does it on its samples): every real identity of every set, in seeded folds; in each fold the
 * fold's identities are strangers and everyone else is enrolled at once from `k` seeded faces
 * (identities with fewer than k + 1 faces sit the fold out); probes are the enrolled people's other
 * faces, every face of the strangers and the unlabelled faces (bystanders).
 */
import { seededRng } from '../../core/util/seededRng.js';
import { shuffleInPlace } from '../../core/util/shuffleInPlace.js';
import type { BenchFace } from './benchFace.js';

export interface ReferenceFold {
  fold: number;
  /** Enrolled person → reference faces. */
  references: Map<string, BenchFace[]>;
  /** Identities held out as strangers. */
  strangers: ReadonlySet<string>;
  /** Faces searched: known (identity enrolled) and strangers (identity null or held out). */
  probes: BenchFace[];
}

/** The library's identities in a seeded order, each one's faces in a seeded order, and the unlabelled faces. */
const seededIdentities = (
  library: readonly BenchFace[],
  seed: number,
): { ids: string[]; draws: Map<string, BenchFace[]>; unlabelled: BenchFace[] } => {
  const byId = new Map<string, BenchFace[]>();
  const unlabelled: BenchFace[] = [];
  for (const f of library) {
    if (f.identity === null) unlabelled.push(f);
    else byId.set(f.identity, [...(byId.get(f.identity) ?? []), f]);
  }
  const rnd = seededRng(seed);
  const ids = shuffleInPlace([...byId.keys()].sort(), rnd);
  const draws = new Map(
    [...byId].map(([id, xs]) => [
      id,
      shuffleInPlace(
        [...xs].sort((a, b) => a.key.localeCompare(b.key)),
        rnd,
      ),
    ]),
  );
  return { ids, draws, unlabelled };
};

export const referenceFolds = (
  library: readonly BenchFace[],
  k: number,
  folds = 3,
  seed = 13,
): ReferenceFold[] => {
  const { ids, draws, unlabelled } = seededIdentities(library, seed);
  return Array.from({ length: folds }, (_, fold) => {
    const references = new Map<string, BenchFace[]>();
    const strangers = new Set<string>();
    const probes: BenchFace[] = [...unlabelled];
    ids.forEach((id, i) => {
      const xs = draws.get(id)!;
      if (i % folds === fold) {
        strangers.add(id);
        probes.push(...xs);
        return;
      }
      if (xs.length < k + 1) return;
      references.set(id, xs.slice(0, k));
      probes.push(...xs.slice(k));
    });
    return {
      fold,
      references: new Map([...references].sort(([a], [b]) => a.localeCompare(b))),
      strangers,
      probes,
    };
  });
};

/** The probe's enrolled identity in the fold, or null for a stranger. */
export const truthOf = (fold: ReferenceFold, f: BenchFace): string | null =>
  f.identity !== null && fold.references.has(f.identity) ? f.identity : null;

export interface ThreeWayFold extends ReferenceFold {
  /** Every face of the identities that are neither enrolled nor searched (what synthetic people are modelled on). */
  donors: BenchFace[];
}

/**
 * Identities in three seeded groups with rotating roles: in fold f group f is enrolled (k seeded
 * references each, their other faces searched), group f+1 are strangers (every face searched, with
 * the unlabelled faces) and group f+2 are donors: never enrolled, never searched, only a model of
 * what other people look like. So distractors built from the donors know nothing of the faces
 * they are tested against.
 */
export const threeWayFolds = (library: readonly BenchFace[], k: number, seed = 13): ThreeWayFold[] => {
  const { ids, draws, unlabelled } = seededIdentities(library, seed);
  return [0, 1, 2].map((fold) => {
    const references = new Map<string, BenchFace[]>();
    const strangers = new Set<string>();
    const probes: BenchFace[] = [...unlabelled];
    const donors: BenchFace[] = [];
    ids.forEach((id, i) => {
      const xs = draws.get(id)!;
      const role = ((i % 3) - fold + 3) % 3;
      if (role === 1) {
        strangers.add(id);
        probes.push(...xs);
      } else if (role === 2) donors.push(...xs);
      else if (xs.length >= k + 1) {
        references.set(id, xs.slice(0, k));
        probes.push(...xs.slice(k));
      }
    });
    return {
      fold,
      references: new Map([...references].sort(([a], [b]) => a.localeCompare(b))),
      strangers,
      probes,
      donors,
    };
  });
};
