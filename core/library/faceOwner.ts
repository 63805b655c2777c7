import { labelPrecedence } from '../decide/labelPrecedence.js';
import { LabelKind } from './LabelKind.js';
import { LabelSource } from './LabelSource.js';
import type { Library } from './Library.js';

/** How a face came to be someone's, strongest first. */
export const OwnerVia = {
  /** A person said so (enrolled, confirmed, imported). */
  Human: 'human',
  /** Cluster membership (a `cluster` run, a naming, a split). */
  Cluster: 'cluster',
  /** The matcher's decision in the latest `sort` run. */
  Sort: 'sort',
} as const;
export type OwnerVia = (typeof OwnerVia)[keyof typeof OwnerVia];

export interface OwnedLabel {
  personId: number;
  kind: LabelKind;
  source: string | null;
  score: number | null;
  createdAt: string;
}

export interface FaceOwner {
  /** Whose face it is, or null for unknown. */
  personId: number | null;
  via: OwnerVia | null;
  /** People the face was said not to be (never proposed again). */
  rejected: ReadonlySet<number>;
}

export const isClusterLabel = (l: Pick<OwnedLabel, 'kind' | 'source'>): boolean =>
  l.kind === LabelKind.Auto && l.source === LabelSource.Cluster;

/**
 * Whose a face is, from all its labels: a human decision first (labelPrecedence: the newest human
 * decision per person wins, a face is one person), then cluster membership, then the latest sort
 * run's decision; never a person the face was rejected for. This is what `cluster --json`, the
 * review pages and the cluster folders show. The matcher itself (decideFile) reads only the
 * human part, so cluster membership never forces a sort decision.
 */
export const faceOwner = (labels: readonly OwnedLabel[]): FaceOwner => {
  const human = labelPrecedence(
    labels.map((l) => ({ person: String(l.personId), kind: l.kind, createdAt: l.createdAt })),
  );
  const rejected = new Set([...human.rejected].map(Number));
  if (human.confirmed !== undefined)
    return { personId: Number(human.confirmed), via: OwnerVia.Human, rejected };
  const newest = (xs: OwnedLabel[]): OwnedLabel | undefined =>
    xs.sort((a, b) =>
      a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.personId - b.personId,
    )[0];
  const cluster = newest(labels.filter((l) => isClusterLabel(l) && !rejected.has(l.personId)));
  if (cluster) return { personId: cluster.personId, via: OwnerVia.Cluster, rejected };
  const sort = labels
    .filter((l) => l.kind === LabelKind.Auto && !isClusterLabel(l) && !rejected.has(l.personId))
    .sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || a.personId - b.personId)[0];
  if (sort) return { personId: sort.personId, via: OwnerVia.Sort, rejected };
  return { personId: null, via: null, rejected };
};

/** Every face's labels in namespace `ns`, by face id: what `faceOwner` reads, for a whole library. */
export const labelsByFace = (library: Library, ns: string): Map<number, OwnedLabel[]> => {
  const byFace = new Map<number, OwnedLabel[]>();
  for (const l of library.labelsInNamespace(ns)) {
    const entry: OwnedLabel = {
      personId: l.personId,
      kind: l.kind,
      source: l.source,
      score: l.score,
      createdAt: l.createdAt,
    };
    const list = byFace.get(l.faceId);
    if (list) list.push(entry);
    else byFace.set(l.faceId, [entry]);
  }
  return byFace;
};
