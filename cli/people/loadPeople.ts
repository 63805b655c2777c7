import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calibrateThresholds } from '../../core/decide/calibrateThresholds.js';
import { DEFAULT_POLICY, type DecisionPolicy } from '../../core/decide/DecisionPolicy.js';
import { learnPeople } from '../../core/decide/learnFromLabels.js';
import { PeopleMatrix } from '../../core/decide/PeopleMatrix.js';
import { personModelOf } from '../../core/decide/personModel.js';
import {
  chooseThreshold,
  DEFAULT_COHORT_POLICY,
  type ThresholdChoice,
  ThresholdSource,
} from '../../core/decide/thresholds.js';
import { ConfigError, GalleryError } from '../../core/errors.js';
import { galleryOfPerson } from '../../core/library/galleryOfPerson.js';
import type { Library } from '../../core/library/Library.js';
import { galleryOfMembers, peopleLabels } from '../../core/library/peopleLabels.js';
import { EMBEDDING_DIM } from '../../core/match/embeddingDim.js';
import { type Gallery, parseGallery } from '../../core/match/gallery.js';
import { personNameProblem } from '../../core/match/personName.js';
import { type EngineIdentity, engineNamespace } from '../engineOptions.js';
import type { PeopleCliOptions } from './peopleOptions.js';

/** Faces sampled from the library to calibrate every person's threshold. */
export const COHORT_SIZE = 5000;

export interface LoadedPeople {
  matrix: PeopleMatrix;
  galleries: ReadonlyMap<string, Gallery>;
  thresholds: ReadonlyMap<string, ThresholdChoice>;
  /** The people searched for (sorted); everyone enrolled when the command searches everyone. */
  searched: string[];
  policy: DecisionPolicy;
}

const readGalleryDir = async (dir: string, modelSetId: string): Promise<Gallery[]> => {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new GalleryError(`cannot read the gallery folder ${dir}`, { cause });
  }
  const galleries: Gallery[] = [];
  for (const name of names.filter((n) => n.endsWith('.gallery.json')).sort()) {
    const path = join(dir, name);
    const g = parseGallery(await readFile(path, 'utf8'), modelSetId, path, EMBEDDING_DIM);
    const expected = name.slice(0, -'.gallery.json'.length);
    if (g.person !== expected)
      throw new GalleryError(
        `${path} is the gallery of "${g.person}", not "${expected}"; rename it or re-enrol`,
      );
    galleries.push(g);
  }
  return galleries;
};

/**
 * Everyone enrolled, as the decision core's people: from the library (or gallery files), each with
 * the threshold the one threshold rule gives (--threshold, the person's own, the library cohort's at
 * --far, the default). Every enrolled person takes part in every decision, searched or not, so a
 * face that is my brother's is never given to me; `searched` only says whose photos the command wants.
 */
export const loadPeople = async (
  library: Library,
  engine: EngineIdentity,
  o: PeopleCliOptions,
  mode: { searchRequired: boolean },
): Promise<LoadedPeople> => {
  const ns = engineNamespace(engine);
  const galleries = o.gallery
    ? await readGalleryDir(o.gallery, engine.modelSetId)
    : library
        .people()
        // issue 12: a person named from a cluster without --confirm has only cluster members: their gallery.
        .map(
          (p) =>
            galleryOfPerson(library, p, ns, engine.modelSetId) ??
            galleryOfMembers(library, p, ns, engine.modelSetId),
        )
        .filter((g): g is Gallery => g !== undefined);
  // A library written before the name rule (or edited by hand) may hold a name that would leave OUT.
  for (const g of galleries) {
    const problem = personNameProblem(g.person);
    if (problem)
      throw new GalleryError(
        `the library holds a person who cannot be used: ${problem}; rename them with "mespotter cluster name ${JSON.stringify(g.person)} NEW-NAME"`,
      );
  }
  const byName = new Map(galleries.map((g) => [g.person, g]));
  const wanted = o.person ?? [];
  for (const name of wanted) {
    if (!byName.has(name)) {
      const known = [...byName.keys()];
      throw new GalleryError(
        `nobody called "${name}" is enrolled${o.gallery ? ` in ${o.gallery}` : ''}` +
          (known.length
            ? ` (enrolled: ${known.join(', ')})`
            : '; enrol them with "mespotter enroll --person NAME PHOTOS…"'),
      );
    }
  }
  if (mode.searchRequired && wanted.length === 0 && !o.everyone)
    throw new ConfigError('say who to look for: --person NAME (repeat for several) or --everyone');
  if (mode.searchRequired && byName.size === 0)
    throw new GalleryError(
      'nobody is enrolled yet; enrol people with "mespotter enroll --person NAME PHOTOS…"',
    );
  const searched = (wanted.length > 0 ? [...new Set(wanted)] : [...byName.keys()]).sort();
  // --margin M is the margin, whatever the number of people (no growth).
  const policy: DecisionPolicy =
    o.margin !== undefined ? { margin: o.margin, exclusive: DEFAULT_POLICY.exclusive } : DEFAULT_POLICY;

  // ---- issue 12 (review): corrections teach the matcher. ---------------------------------------
  // Every library person's template is learned from their labels (core/decide/learnFromLabels.ts,
  // chosen by `npm run bench:review`): references and confirmed faces quality-weighted with outliers
  // dropped, and for someone with rejected faces a per-person linear model (their faces against
  // their rejected ones and the most alike faces of everyone else). Thresholds are then calibrated
  // on the cohort for those templates as before. Gallery files (--gallery) carry no labels: as is.
  const models = o.gallery
    ? galleries.map((g) => personModelOf(g, 0))
    : learnPeople(peopleLabels(library, galleries, ns));
  const provisional = PeopleMatrix.build(models);
  const cohortPolicy = { ...DEFAULT_COHORT_POLICY, ...(o.far !== undefined ? { far: o.far } : {}) };
  const cohort = o.threshold === undefined && galleries.length > 0 ? library.cohort(ns, COHORT_SIZE) : [];
  const calibrated = cohort.length > 0 ? calibrateThresholds(provisional, cohort, cohortPolicy) : [];
  const thresholds = new Map<string, ThresholdChoice>();
  galleries.forEach((g, i) => {
    thresholds.set(
      g.person,
      chooseThreshold({ override: o.threshold, person: g.threshold, cohort: calibrated[i] }),
    );
  });
  const matrix = PeopleMatrix.build(
    models.map((m) => ({ ...m, threshold: thresholds.get(m.name)!.threshold })),
  );
  return { matrix, galleries: byName, thresholds, searched, policy };
};

/** People from galleries at one fixed threshold, without a library (tests, benchmarks). */
export const peopleOfGalleries = (
  galleries: readonly Gallery[],
  threshold: number,
  searched: readonly string[] = galleries.map((g) => g.person),
): LoadedPeople => ({
  matrix: PeopleMatrix.build(galleries.map((g) => personModelOf(g, threshold))),
  galleries: new Map(galleries.map((g) => [g.person, g])),
  thresholds: new Map(galleries.map((g) => [g.person, { threshold, source: ThresholdSource.Override }])),
  searched: [...searched].sort(),
  policy: DEFAULT_POLICY,
});
