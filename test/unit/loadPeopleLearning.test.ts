import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EngineIdentity, engineNamespace } from '../../cli/engineOptions.js';
import { loadPeople } from '../../cli/people/loadPeople.js';
import { resolveEngineConfig } from '../../core/config.js';
import { DEFAULT_POLICY, marginFor } from '../../core/decide/DecisionPolicy.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { Library, type StoredFace } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import { dot } from '../../core/match/similarity.js';
import type { Face, FivePoints } from '../../core/types.js';
import { aFace } from '../helpers/factories.js';
import { randomUnitVector, seededRng, unitNear } from '../helpers/random.js';

const rng = seededRng(21);
const randomUnit = (): Float32Array => randomUnitVector(rng);
const around = (c: Float32Array, k: number): Float32Array => unitNear(rng, c, k);
const faceOf = (embedding: Float32Array): Face =>
  aFace({
    box: { x1: 0, y1: 0, x2: 100, y2: 100 },
    score: 0.99,
    points: [0, 1, 2, 3, 4].map((i) => ({ x: 20 + 10 * i, y: 40 })) as unknown as FivePoints,
    embedding,
  });

describe('loadPeople with the learning step (issue 12)', () => {
  const identity: EngineIdentity = { modelSetId: 'learn-test', config: resolveEngineConfig() };
  const ns = engineNamespace(identity);
  let library: Library;
  let n = 0;
  const add = (e: Float32Array): StoredFace =>
    library.saveAnalysis({ sha256: String(++n).padStart(64, '0'), size: 1 }, ns, {
      width: 100,
      height: 100,
      rejected: 0,
      faces: [faceOf(e)],
    }).faces[0]!;

  beforeEach(async () => {
    library = Library.open(join(await mkdtemp(join(tmpdir(), 'mespotter-learn-')), 'library.db'));
  });
  afterEach(() => library.close());

  it('turns a person’s rejected faces into a template that scores their look-alike lower, and finds a named cluster', async () => {
    const ann = randomUnit();
    const twin = unitNear(rng, ann, 0.7);
    const refs = [0, 1, 2, 3].map(() => add(around(ann, 0.85)));
    library.enrol(
      'Ann',
      refs.map((f) => ({ faceId: f.id, source: `ref${f.id}.jpg` })),
      { replace: false },
    );
    const plain = await loadPeople(library, identity, { person: [] }, { searchRequired: false });
    const edits = new LibraryEdits(library);
    const annId = library.person('Ann')!.id;
    edits.reject(
      annId,
      [0, 1, 2].map(() => add(around(twin, 0.85)).id),
    );
    // A cluster named without --confirm: only cluster members, no reference.
    const bea = randomUnit();
    const cluster = library.transaction(() => edits.createCluster());
    for (let i = 0; i < 3; i++)
      library.db
        .prepare(
          `INSERT INTO labels (face_id, person_id, kind, source, created_at) VALUES (?, ?, 'auto', 'cluster', ?)`,
        )
        .run(add(around(bea, 0.85)).id, cluster.id, new Date().toISOString());
    edits.nameCluster(cluster.id, 'Bea');
    expect(library.labelCount(library.person('Bea')!.id, LabelKind.Confirmed)).toBe(0);

    const learned = await loadPeople(library, identity, { person: [] }, { searchRequired: false });

    expect(learned.matrix.names).toEqual(['Ann', 'Bea']);
    const template = (m: typeof plain.matrix, name: string) => {
      const j = m.indexOf(name);
      return m.templates.slice(j * m.dim, (j + 1) * m.dim);
    };
    const unseenTwin = around(twin, 0.85);
    const unseenAnn = around(ann, 0.85);
    const gap = (t: Float32Array) => dot(t, unseenAnn) - dot(t, unseenTwin);
    expect(gap(template(learned.matrix, 'Ann'))).toBeGreaterThan(gap(template(plain.matrix, 'Ann')));
    expect(dot(template(learned.matrix, 'Bea'), bea)).toBeGreaterThan(0.9);
  });

  it('decides with the shipped policy (margin growing with the people enrolled) unless --margin fixes it', async () => {
    const plain = await loadPeople(library, identity, { person: [] }, { searchRequired: false });
    expect(plain.policy).toBe(DEFAULT_POLICY);
    expect(marginFor(plain.policy, 1000)).toBeGreaterThan(plain.policy.margin);
    const fixed = await loadPeople(
      library,
      identity,
      { person: [], margin: 0.07 },
      { searchRequired: false },
    );
    expect(fixed.policy.margin).toBe(0.07);
    expect(marginFor(fixed.policy, 1e6)).toBe(0.07);
  });
});
