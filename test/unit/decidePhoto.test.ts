import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type DecisionPolicy, marginFor } from '../../core/decide/DecisionPolicy.js';
import { decidePhoto, decideScores } from '../../core/decide/decidePhoto.js';
import type { FaceLabels } from '../../core/decide/FaceLabels.js';
import { faceConditionOf } from '../../core/decide/faceCondition.js';
import { PeopleMatrix, type PersonModel } from '../../core/decide/PeopleMatrix.js';
import { type FaceVectors, FUSION_WEIGHTS } from '../../core/match/fusion.js';

/** A hand-made unit vector in 4-d (normalised, so approximate coordinates are fine). */
const vec = (...xs: number[]): Float32Array => {
  const v = new Float32Array(4);
  xs.forEach((x, i) => {
    v[i] = x;
  });
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const face = (...xs: number[]): FaceVectors => ({ embedding: vec(...xs) });
const person = (
  name: string,
  centroid: Float32Array,
  threshold = 0.4,
  negatives?: Float32Array[],
): PersonModel => ({ name, template: { centroid }, threshold, ...(negatives ? { negatives } : {}) });

const EXCLUSIVE: DecisionPolicy = { exclusive: true, margin: 0 };
const WITH_MARGIN: DecisionPolicy = { exclusive: true, margin: 0.05 };
const INDEPENDENT: DecisionPolicy = { exclusive: false, margin: 0 };
const labels = (confirmed?: string, ...rejected: string[]): FaceLabels =>
  confirmed === undefined ? { rejected: new Set(rejected) } : { confirmed, rejected: new Set(rejected) };

// Me and my brother: templates at cosine 0.6; a third, unrelated person.
const ME = vec(1, 0, 0, 0);
const BROTHER = vec(0.6, 0.8, 0, 0);
const OTHER = vec(0, 0, 1, 0);
const family = (threshold = 0.4): PeopleMatrix =>
  PeopleMatrix.build([
    person('me', ME, threshold),
    person('brother', BROTHER, threshold),
    person('other', OTHER, threshold),
  ]);
// Scores 0.8 for me, 0.96 for my brother, 0 for the other.
const BROTHERS_FACE = face(0.8, 0.6, 0, 0);
// Scores 1 for me, 0.6 for my brother.
const MY_FACE = face(1, 0, 0, 0);

describe('Function: decidePhoto (exclusive assignment)', () => {
  it('gives a face that is closer to my brother than to me to my brother, though it passes my threshold too', () => {
    // Act
    const d = decidePhoto([BROTHERS_FACE], family(), EXCLUSIVE);

    // Assess
    expect(d.faces[0]).toMatchObject({ person: 'brother', best: 'brother', decidedBy: 'auto' });
    expect(d.faces[0]!.score).toBeCloseTo(0.96, 5);
    expect(d.faces[0]!.margin).toBeCloseTo(0.16, 5);
    expect(d.people).toEqual(['brother']);
  });

  it('finds both brothers in one photo, each on his own face', () => {
    const d = decidePhoto([BROTHERS_FACE, MY_FACE], family(), EXCLUSIVE);
    expect(d.faces.map((f) => f.person)).toEqual(['brother', 'me']);
    expect(d.people).toEqual(['brother', 'me']);
  });

  it('never gives one face to two people', () => {
    // Every face passes every threshold of the two brothers.
    const faces = [BROTHERS_FACE, MY_FACE, face(0.7, 0.7, 0.1, 0)];
    const d = decidePhoto(faces, family(0.3), EXCLUSIVE);
    const given = d.faces.map((f) => f.person).filter((p) => p !== null);
    expect(given.length).toBeGreaterThan(0);
    expect(new Set(given).size).toBe(given.length);
    expect(d.people).toEqual([...given].sort());
  });

  it('gives each person at most one face per photo: the best one, and the other stays unknown', () => {
    // Two faces whose best person is me; the weaker one is not handed to its runner-up.
    const d = decidePhoto([face(0.9, 0.1, 0.42, 0), MY_FACE], family(), EXCLUSIVE);
    expect(d.faces[1]).toMatchObject({ person: 'me', decidedBy: 'auto' });
    expect(d.faces[0]).toMatchObject({ person: null, best: 'me', decidedBy: null });
    expect(d.people).toEqual(['me']);
  });

  it('breaks ties deterministically: the earlier face, then the earlier person', () => {
    const people = PeopleMatrix.build([person('a', vec(1, 0, 0, 0)), person('b', vec(0, 1, 0, 0))]);
    const same = face(1, 0, 0, 0);
    // Two identical faces of a: the first one takes a.
    const twice = decidePhoto([same, { embedding: same.embedding.slice() }], people, EXCLUSIVE);
    expect(twice.faces.map((f) => f.person)).toEqual(['a', null]);
    // A face exactly between a and b: best is the first person listed, margin 0.
    const between = decidePhoto([face(Math.SQRT1_2, Math.SQRT1_2, 0, 0)], people, EXCLUSIVE);
    expect(between.faces[0]).toMatchObject({ person: 'a', best: 'a', margin: 0 });
    // The same call again gives the same answer.
    expect(decidePhoto([face(Math.SQRT1_2, Math.SQRT1_2, 0, 0)], people, EXCLUSIVE)).toEqual(between);
  });

  it("holds each face to its best person's own threshold, without falling back to the runner-up", () => {
    const people = PeopleMatrix.build([person('me', ME, 0.5), person('brother', BROTHER, 0.99)]);
    // 0.96 for my brother is below his 0.99; 0.8 for me would pass mine, but I am not the best.
    const d = decidePhoto([BROTHERS_FACE], people, EXCLUSIVE);
    expect(d.faces[0]).toMatchObject({ person: null, best: 'brother' });
    expect(d.faces[0]!.score).toBeCloseTo(0.96, 5);
    // With a looser threshold for my brother the face is his.
    const looser = PeopleMatrix.build([person('me', ME, 0.5), person('brother', BROTHER, 0.9)]);
    expect(decidePhoto([BROTHERS_FACE], looser, EXCLUSIVE).faces[0]!.person).toBe('brother');
  });

  it('accepts a score exactly at the threshold', () => {
    const people = PeopleMatrix.build([person('me', ME, 0.8), person('other', OTHER, 0.4)]);
    const exact = face(0.8, 0.6, 0, 0);
    const s = people.score([exact])[0]!;
    const at = PeopleMatrix.build([person('me', ME, s), person('other', OTHER, 0.4)]);
    expect(decidePhoto([exact], at, EXCLUSIVE).faces[0]!.person).toBe('me');
  });

  it('leaves a face unknown when it does not beat the runner-up by the margin', () => {
    const people = PeopleMatrix.build([person('a', vec(1, 0, 0, 0)), person('b', vec(0, 1, 0, 0))]);
    // 0.72 for a, 0.69 for b: margin 0.03.
    const close = face(0.72, 0.69, Math.sqrt(1 - 0.72 ** 2 - 0.69 ** 2), 0);
    const strict = decidePhoto([close], people, WITH_MARGIN);
    expect(strict.faces[0]).toMatchObject({ person: null, best: 'a' });
    expect(strict.faces[0]!.margin).toBeCloseTo(0.03, 5);
    expect(decidePhoto([close], people, { exclusive: true, margin: 0.02 }).faces[0]!.person).toBe('a');
    expect(decidePhoto([close], people, EXCLUSIVE).faces[0]!.person).toBe('a');
  });

  it('needs no margin with one person enrolled (margin is null)', () => {
    const people = PeopleMatrix.build([person('me', ME)]);
    const d = decidePhoto([MY_FACE], people, { exclusive: true, margin: 0.5 });
    expect(d.faces[0]).toMatchObject({ person: 'me', margin: null });
  });

  it('returns every score, face-major, and handles no faces and nobody enrolled', () => {
    const d = decidePhoto([BROTHERS_FACE, MY_FACE], family(), DEFAULT_POLICY);
    expect(d.scores).toHaveLength(6);
    expect(d.scores[0]).toBeCloseTo(0.8, 5);
    expect(d.scores[1]).toBeCloseTo(0.96, 5);
    expect(d.scores[3]).toBeCloseTo(1, 5);
    expect(decidePhoto([], family(), DEFAULT_POLICY)).toMatchObject({ faces: [], people: [] });
    const nobody = decidePhoto([MY_FACE], PeopleMatrix.build([]), DEFAULT_POLICY);
    expect(nobody.faces[0]).toEqual({
      person: null,
      score: Number.NEGATIVE_INFINITY,
      best: null,
      margin: null,
      decidedBy: null,
    });
  });

  it('scores with both identity vectors where the face and the person have descriptors, else by cosine', () => {
    const d1 = vec(0, 1, 0, 0);
    const people = PeopleMatrix.build([
      { name: 'fused', template: { centroid: ME, descriptorCentroid: d1 }, threshold: 0.4 },
      { name: 'plain', template: { centroid: ME }, threshold: 0.4 },
    ]);
    const f: FaceVectors = { embedding: vec(0.8, 0.6, 0, 0), descriptor: vec(0.6, 0.8, 0, 0) };
    const s = people.score([f]);
    const w = FUSION_WEIGHTS;
    expect(s[0]).toBeCloseTo(w.embeddingWeight * 0.8 + w.descriptorWeight * 0.8 + w.offset, 5);
    expect(s[1]).toBeCloseTo(0.8, 5);
  });
});

describe('Function: decidePhoto (human labels)', () => {
  it('gives a confirmed face to its person even below the threshold, and that person no other face', () => {
    const people = family(0.99);
    const d = decidePhoto([BROTHERS_FACE, MY_FACE], family(0.4), EXCLUSIVE, [labels('me'), undefined]);
    expect(d.faces[0]).toMatchObject({ person: 'me', decidedBy: 'human', margin: null });
    expect(d.faces[0]!.score).toBeCloseTo(0.8, 5);
    // My own face is not given to me a second time; its best person is me, so it stays unknown.
    expect(d.faces[1]).toMatchObject({ person: null, best: 'me' });
    expect(d.people).toEqual(['me']);
    // Confirmed beats every threshold.
    expect(decidePhoto([BROTHERS_FACE], people, EXCLUSIVE, [labels('me')]).faces[0]!.person).toBe('me');
  });

  it('keeps a confirmed name that is not enrolled, with no score', () => {
    const d = decidePhoto([MY_FACE], family(), EXCLUSIVE, [labels('grandpa')]);
    expect(d.faces[0]).toMatchObject({ person: 'grandpa', decidedBy: 'human' });
    expect(d.faces[0]!.score).toBeNaN();
    expect(d.people).toEqual(['grandpa']);
  });

  it('never gives a rejected face to that person; the face may still be its next best person', () => {
    const d = decidePhoto([BROTHERS_FACE], family(), EXCLUSIVE, [labels(undefined, 'brother')]);
    expect(d.faces[0]).toMatchObject({ person: 'me', best: 'me', decidedBy: 'auto' });
    // The margin is taken among the people it may be: 0.8 for me against 0 for the other.
    expect(d.faces[0]!.margin).toBeCloseTo(0.8, 5);
    const both = decidePhoto([BROTHERS_FACE], family(), EXCLUSIVE, [labels(undefined, 'brother', 'me')]);
    expect(both.faces[0]).toMatchObject({ person: null, best: 'other' });
  });

  it("never gives a face to a person who rejected (nearly) the same face in their gallery's negatives", () => {
    const seen = vec(0.8, 0.6, 0, 0);
    const people = PeopleMatrix.build([person('me', ME), person('brother', BROTHER, 0.4, [seen])]);
    // The same face again, slightly re-encoded: cosine to the negative well above 0.9.
    const again = face(0.79, 0.61, 0.02, 0);
    expect(decidePhoto([again], people, EXCLUSIVE).faces[0]).toMatchObject({ person: 'me' });
    // A different face of my brother (cosine 0.75 to the negative) is still his.
    const other = face(0.2, 0.98, 0, 0);
    expect(decidePhoto([other], people, EXCLUSIVE).faces[0]).toMatchObject({ person: 'brother' });
  });

  it('applies rejections and negatives in the independent mode too', () => {
    const seen = vec(0.8, 0.6, 0, 0);
    const people = PeopleMatrix.build([person('me', ME), person('brother', BROTHER, 0.4, [seen])]);
    const d = decidePhoto([BROTHERS_FACE], people, INDEPENDENT, [labels(undefined, 'me')]);
    expect(d.people).toEqual([]);
    expect(d.faces[0]!.person).toBeNull();
  });
});

describe('Function: decidePhoto (independent, the old rule)', () => {
  it('decides every person on their own: one face can be two people', () => {
    const d = decidePhoto([BROTHERS_FACE], family(), INDEPENDENT);
    expect(d.people).toEqual(['brother', 'me']);
    // The face records the first person (in enrolment order) that took it.
    expect(d.faces[0]).toMatchObject({ person: 'me', decidedBy: 'auto' });
  });

  it("takes each person's best face at or above their own threshold", () => {
    const people = PeopleMatrix.build([person('me', ME, 0.9), person('brother', BROTHER, 0.97)]);
    const d = decidePhoto([BROTHERS_FACE, MY_FACE], people, INDEPENDENT);
    // My best face is mine (1.0 ≥ 0.9); my brother's best face scores 0.96 < 0.97.
    expect(d.people).toEqual(['me']);
    expect(d.faces.map((f) => f.person)).toEqual([null, 'me']);
  });

  it('ignores the margin and leaves human decisions alone', () => {
    const d = decidePhoto([BROTHERS_FACE, MY_FACE], family(), { exclusive: false, margin: 0.5 }, [
      labels('other'),
    ]);
    expect(d.faces[0]).toMatchObject({ person: 'other', decidedBy: 'human' });
    expect(d.people).toEqual(['brother', 'me', 'other']);
  });
});

describe('Function: decidePhoto (quality rule)', () => {
  const RULE: DecisionPolicy = {
    exclusive: true,
    margin: 0,
    quality: { minHeight: 40, minQuality: 0.5, maxYaw: 0.6, delta: 0.1 },
  };
  const box = (h: number) => ({ x1: 0, y1: 0, x2: h, y2: h });
  // Scores 0.45 for me and 0.2 for the other person.
  const faint = (extra: object = {}) => ({
    ...face(0.45, 0, 0.2, Math.sqrt(1 - 0.45 ** 2 - 0.2 ** 2)),
    ...extra,
  });
  const people = () => PeopleMatrix.build([person('me', ME, 0.4), person('other', OTHER, 0.4)]);

  it('holds a small face to a stricter threshold, and a large one to the plain one', () => {
    expect(decidePhoto([faint({ box: box(100) })], people(), RULE).faces[0]!.person).toBe('me');
    const small = decidePhoto([faint({ box: box(30) })], people(), RULE).faces[0]!;
    expect(small).toMatchObject({ person: null, best: 'me' });
    expect(small.score).toBeCloseTo(0.45, 5);
    // A small face well above threshold + delta is still found.
    expect(decidePhoto([{ ...MY_FACE, box: box(30) }], people(), RULE).faces[0]!.person).toBe('me');
    // Without the rule the small face is mine.
    expect(decidePhoto([faint({ box: box(30) })], people(), EXCLUSIVE).faces[0]!.person).toBe('me');
  });

  it('is stricter for unclear and for turned faces too, and leaves faces without those measures alone', () => {
    expect(decidePhoto([faint({ quality: 0.3 })], people(), RULE).faces[0]!.person).toBeNull();
    const turned = [
      { x: 40, y: 50 },
      { x: 72, y: 50 },
      { x: 72, y: 68 },
      { x: 44, y: 84 },
      { x: 68, y: 84 },
    ] as const;
    expect(decidePhoto([faint({ points: turned })], people(), RULE).faces[0]!.person).toBeNull();
    expect(decidePhoto([faint()], people(), RULE).faces[0]!.person).toBe('me');
  });

  it('lets a human confirmation through whatever the face looks like', () => {
    const d = decidePhoto([faint({ box: box(20), quality: 0.1 })], people(), RULE, [labels('me')]);
    expect(d.faces[0]).toMatchObject({ person: 'me', decidedBy: 'human' });
  });

  it('applies in the independent mode too', () => {
    const independentRule = { ...RULE, exclusive: false };
    expect(decidePhoto([faint({ box: box(30) })], people(), independentRule).people).toEqual([]);
    expect(decidePhoto([faint({ box: box(100) })], people(), independentRule).people).toEqual(['me']);
  });
});

describe('Function: decidePhoto (normalised by each person’s cohort)', () => {
  const A = vec(1, 0, 0, 0);
  const B = vec(0, 1, 0, 0);
  // A's impostors score around 0.3 ± 0.05, B's around 0.4 ± 0.1.
  const stats = () =>
    PeopleMatrix.build([
      { name: 'a', template: { centroid: A }, threshold: 0.4, cohort: { median: 0.3, spread: 0.05 } },
      { name: 'b', template: { centroid: B }, threshold: 0.4, cohort: { median: 0.4, spread: 0.1 } },
    ]);
  // 0.6 for a (z 6), 0.65 for b (z 2.5).
  const f = face(0.6, 0.65, Math.sqrt(1 - 0.6 ** 2 - 0.65 ** 2), 0);
  const Z_RANK: DecisionPolicy = { exclusive: true, margin: 0, normalised: { rankByZ: true, margin: 0 } };

  it('picks the person the face stands out from most in cohort units, not the highest raw score', () => {
    expect(decidePhoto([f], stats(), EXCLUSIVE).faces[0]!.person).toBe('b');
    const d = decidePhoto([f], stats(), Z_RANK).faces[0]!;
    expect(d).toMatchObject({ person: 'a', best: 'a', decidedBy: 'auto' });
    expect(d.score).toBeCloseTo(0.6, 5);
    // The margin is still reported in score units against the best other score.
    expect(d.margin).toBeCloseTo(-0.05, 5);
    expect(stats().z(0, 0.6)).toBeCloseTo(6, 4);
  });

  it('takes the runner-up margin in z units', () => {
    // z gap 3.5: passes a z margin of 3, not one of 4 (the raw margin of 0.5 does not apply).
    const at = (m: number): DecisionPolicy => ({
      exclusive: true,
      margin: 0.5,
      normalised: { rankByZ: true, margin: m },
    });
    expect(decidePhoto([f], stats(), at(3)).faces[0]!.person).toBe('a');
    expect(decidePhoto([f], stats(), at(4)).faces[0]!.person).toBeNull();
    // Ranked by score with a z margin: b is best, and its z (2.5) is below a's, so it never clears.
    const scoreRanked: DecisionPolicy = {
      exclusive: true,
      margin: 0,
      normalised: { rankByZ: false, margin: 0.5 },
    };
    expect(decidePhoto([f], stats(), scoreRanked).faces[0]).toMatchObject({ person: null, best: 'b' });
  });

  it('falls back to plain scores and the plain margin when someone has no cohort statistics', () => {
    const mixed = PeopleMatrix.build([
      { name: 'a', template: { centroid: A }, threshold: 0.4, cohort: { median: 0.3, spread: 0.05 } },
      { name: 'b', template: { centroid: B }, threshold: 0.4 },
    ]);
    expect(mixed.normalisable).toBe(false);
    expect(decidePhoto([f], mixed, Z_RANK).faces[0]!.person).toBe('b');
    const plainMargin: DecisionPolicy = { ...Z_RANK, margin: 0.1 };
    expect(decidePhoto([f], mixed, plainMargin).faces[0]!.person).toBeNull();
  });

  it('still gives each face at most one person and each person at most one face', () => {
    const faces = [f, face(0.62, 0.6, Math.sqrt(1 - 0.62 ** 2 - 0.6 ** 2), 0), face(0.1, 0.9, 0.42, 0)];
    const d = decidePhoto(faces, stats(), Z_RANK);
    const given = d.faces.map((x) => x.person).filter((p) => p !== null);
    expect(new Set(given).size).toBe(given.length);
    expect(d.faces.map((x) => x.person)).toEqual([null, 'a', 'b']);
  });
});

describe('Function: decideScores', () => {
  it('decides from scores computed beforehand exactly as decidePhoto does', () => {
    const people = family();
    const faces = [BROTHERS_FACE, MY_FACE];
    const direct = decidePhoto(faces, people, DEFAULT_POLICY);
    const scored = decideScores(
      { scores: people.score(faces), conditions: faces.map(faceConditionOf) },
      people,
      DEFAULT_POLICY,
    );
    expect(scored).toEqual(direct);
  });

  it('refuses a score matrix of the wrong size', () => {
    const c = faceConditionOf(MY_FACE);
    expect(() =>
      decideScores({ scores: new Float32Array(2), conditions: [c] }, family(), DEFAULT_POLICY),
    ).toThrow(RangeError);
  });
});

describe('Function: marginFor', () => {
  const growing: DecisionPolicy = {
    exclusive: true,
    margin: 0.05,
    marginGrowth: { from: 100, perDecade: 0.04, max: 0.15 },
  };

  it('keeps the margin up to `from` people, then adds perDecade per tenfold, up to max', () => {
    expect(marginFor(growing, 2)).toBe(0.05);
    expect(marginFor(growing, 100)).toBe(0.05);
    expect(marginFor(growing, 1000)).toBeCloseTo(0.09, 10);
    expect(marginFor(growing, 10_000)).toBeCloseTo(0.13, 10);
    expect(marginFor(growing, 1e6)).toBe(0.15);
  });

  it('ships growing: 0.05 up to 100 people, 0.09 at 1,000, 0.13 at 10,000, never above 0.15', () => {
    expect(marginFor(DEFAULT_POLICY, 77)).toBe(0.05);
    expect(marginFor(DEFAULT_POLICY, 1000)).toBeCloseTo(0.09, 10);
    expect(marginFor(DEFAULT_POLICY, 10_000)).toBeCloseTo(0.13, 10);
    expect(marginFor(DEFAULT_POLICY, 1e7)).toBe(0.15);
  });

  it('is the plain margin without growth, and 0 stays 0 (margin off)', () => {
    expect(marginFor({ exclusive: true, margin: 0.07 }, 1e6)).toBe(0.07);
    expect(marginFor({ ...growing, margin: 0 }, 1e6)).toBe(0);
  });
});

describe('Function: decidePhoto (margin growing with the people enrolled)', () => {
  // A face at 0.72 for a and 0.65 for b (gap 0.07), among a crowd of people it does not resemble.
  const crowd = (n: number): PeopleMatrix =>
    PeopleMatrix.build([
      person('a', vec(1, 0, 0, 0)),
      person('b', vec(0, 1, 0, 0)),
      ...Array.from({ length: n - 2 }, (_, i) => person(`p${i}`, vec(0, 0, 0, 1))),
    ]);
  const f = face(0.72, 0.65, Math.sqrt(1 - 0.72 ** 2 - 0.65 ** 2), 0);
  const policy: DecisionPolicy = {
    exclusive: true,
    margin: 0.05,
    marginGrowth: { from: 100, perDecade: 0.04, max: 0.15 },
  };

  it('accepts the gap with few people and refuses it with many', () => {
    expect(decidePhoto([f], crowd(50), policy).faces[0]).toMatchObject({ person: 'a' });
    // 1,000 people: margin 0.09 > 0.07.
    const many = decidePhoto([f], crowd(1000), policy).faces[0]!;
    expect(many).toMatchObject({ person: null, best: 'a' });
    expect(many.margin).toBeCloseTo(0.07, 5);
  });
});
