/**
 * What is enrolled and what is searched. One library holds every face of every set; a scenario
 * enrols some people from their reference faces and searches photos. Closed set: everyone of a
 * set enrolled, its test photos searched. Open set: a fold of identities held out (not enrolled),
 * and all their photos searched too, so their faces are strangers. The generated album mixes the
 * sets' faces into group photos with everyone of every set enrolled at once.
 */
import { seededRng } from '../../core/util/seededRng.js';
import { shuffleInPlace } from '../../core/util/shuffleInPlace.js';
import { type BenchFace, type BenchPhoto, type PeopleSetName, photosOf } from './benchFace.js';

export interface Scenario {
  name: string;
  /** Person → reference faces (faces labelled as them in enrolment photos). */
  people: Map<string, BenchFace[]>;
  photos: BenchPhoto[];
  /** Identities held out of enrolment (their faces are strangers). */
  heldOut: ReadonlySet<string>;
}

const referencesOf = (faces: readonly BenchFace[]): Map<string, BenchFace[]> => {
  const out = new Map<string, BenchFace[]>();
  for (const f of faces) {
    if (f.role !== 'enrol' || f.identity === null) continue;
    const list = out.get(f.identity);
    if (list) list.push(f);
    else out.set(f.identity, [f]);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
};

/** Everyone of `set` enrolled; its test photos searched. */
export const closedSet = (library: readonly BenchFace[], set: PeopleSetName): Scenario => {
  const own = library.filter((f) => f.set === set);
  return {
    name: set,
    people: referencesOf(own),
    photos: photosOf(own.filter((f) => f.role === 'test')),
    heldOut: new Set(),
  };
};

/**
 * Identities of a set split into `folds` groups (round robin over the sorted names): each fold
 * holds its group out, searching the test photos plus every photo showing a held-out person.
 */
export const openSetFolds = (
  library: readonly BenchFace[],
  set: PeopleSetName,
  folds: number,
): Scenario[] => {
  const closed = closedSet(library, set);
  const names = [...closed.people.keys()];
  const k = Math.min(folds, names.length);
  const out: Scenario[] = [];
  for (let fold = 0; fold < k; fold++) {
    const held = new Set(names.filter((_, i) => i % k === fold));
    const own = library.filter((f) => f.set === set);
    const heldPhotos = new Set(
      own.filter((f) => f.identity !== null && held.has(f.identity)).map((f) => f.photo),
    );
    out.push({
      name: `${set} open fold ${fold + 1}/${k}`,
      people: new Map([...closed.people].filter(([p]) => !held.has(p))),
      photos: photosOf(own.filter((f) => f.role === 'test' || heldPhotos.has(f.photo))),
      heldOut: held,
    });
  }
  return out;
};

export interface AlbumOptions {
  photos: number;
  /** Every n-th identity (seeded order) is held out as a stranger; 0 for none. */
  strangerEvery: number;
  seed: number;
}

/** Faces per generated photo: mostly one or two, some groups up to eight. */
const FACES_PER_PHOTO = [
  [1, 0.4],
  [2, 0.25],
  [3, 0.15],
  [4, 0.1],
  [5, 0.04],
  [6, 0.03],
  [7, 0.02],
  [8, 0.01],
] as const;

/**
 * A generated album from the sets' faces, without images: everyone of every set enrolled at
 * once (minus the held-out strangers), and `photos` group photos each drawn as a random set of
 * faces (test faces of enrolled people, any face of a stranger, bystanders), a person at most
 * once per photo. It measures the decision rule over many people and many group photos; the
 * faces repeat across photos (each appears in several), so counts are not independent trials.
 */
export const generatedAlbum = (library: readonly BenchFace[], o: AlbumOptions): Scenario => {
  const rng = seededRng(o.seed);
  const all = referencesOf(library);
  const names = [...all.keys()];
  const shuffled = shuffleInPlace([...names], rng);
  const held = new Set(o.strangerEvery > 0 ? shuffled.filter((_, i) => i % o.strangerEvery === 0) : []);
  const pool = library.filter(
    (f) => f.identity === null || held.has(f.identity) || (f.role === 'test' && all.has(f.identity)),
  );
  const photos: BenchPhoto[] = [];
  for (let p = 0; p < o.photos; p++) {
    let r = rng();
    let n = 1;
    for (const [count, weight] of FACES_PER_PHOTO) {
      n = count;
      if (r < weight) break;
      r -= weight;
    }
    const faces: BenchFace[] = [];
    const seen = new Set<string>();
    for (let tries = 0; faces.length < n && tries < 50 * n; tries++) {
      const f = pool[Math.floor(rng() * pool.length)]!;
      if (faces.includes(f) || (f.identity !== null && seen.has(f.identity))) continue;
      if (f.identity !== null) seen.add(f.identity);
      faces.push(f);
    }
    photos.push({ key: `album/${p}`, faces });
  }
  return {
    name: 'generated album',
    people: new Map([...all].filter(([p]) => !held.has(p))),
    photos,
    heldOut: held,
  };
};

/**
 * The library's faces that nobody claimed, as `calibrateThresholds` sees them: every face of every
 * set except the enrolled people's references. It holds the people's own searched faces too (a
 * minority, unlabelled, as in a real library), which the cohort estimate must be robust to.
 */
export const cohortOf = (library: readonly BenchFace[], scenario: Scenario): BenchFace[] => {
  const refs = new Set<string>();
  for (const list of scenario.people.values()) for (const f of list) refs.add(f.key);
  return library.filter((f) => !refs.has(f.key));
};

/** Everyone of every set enrolled at once, nothing searched: the library's people for the cohort checks. */
export const everyone = (library: readonly BenchFace[]): Scenario => ({
  name: 'library',
  people: referencesOf(library),
  photos: [],
  heldOut: new Set(),
});
