/** The development sets' faces as the people benchmark sees them. */
import type { FaceVectors } from '../../core/match/fusion.js';

export const PEOPLE_SETS = ['bbt', 'five_celebrity', 'orl', 'glint24'] as const;
export type PeopleSetName = (typeof PEOPLE_SETS)[number];

export interface BenchFace {
  /** `<set>/<photo path in the set>#<face index>`: unique over all sets. */
  key: string;
  set: PeopleSetName;
  /** `<set>/<photo path in the set>`: the faces of one photo share it. */
  photo: string;
  /** `<set>/<identity>`, or null for a face nobody is labelled as (a bystander). */
  identity: string | null;
  /** The set's own split: reference photos to enrol, or photos to search. */
  role: 'enrol' | 'test';
  vectors: FaceVectors;
  quality: number;
  /** Face box height in pixels. */
  size: number;
}

export interface BenchPhoto {
  key: string;
  faces: BenchFace[];
}

/** Faces grouped into their photos, in first-seen order. */
export const photosOf = (faces: readonly BenchFace[]): BenchPhoto[] => {
  const byPhoto = new Map<string, BenchFace[]>();
  for (const f of faces) {
    const list = byPhoto.get(f.photo);
    if (list) list.push(f);
    else byPhoto.set(f.photo, [f]);
  }
  return [...byPhoto].map(([key, list]) => ({ key, faces: list }));
};

/** The same faces scored by the first embedder alone (the engine's fast mode). */
export const withoutDescriptors = (faces: readonly BenchFace[]): BenchFace[] =>
  faces.map((f) => ({ ...f, vectors: { embedding: f.vectors.embedding } }));
