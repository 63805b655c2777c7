import { describe, expect, it } from 'vitest';
import { GalleryError } from '../../core/errors.js';
import {
  bestMatch,
  buildGallery,
  centroidOf,
  GALLERY_VERSION,
  type Gallery,
  type GalleryReference,
  parseGallery,
  pickReferenceFace,
  type ReferenceCandidate,
  scoreFace,
  serializeGallery,
} from '../../core/match/gallery.js';
import type { Box, Face, FivePoints } from '../../core/types.js';
import { nearbyUnitVector, randomUnitVector, seededRng } from '../helpers/random.js';

const MODELS = 'test-models@1#abcdef012345';
const NOW = new Date('2024-05-06T07:08:09.000Z');
const noPoints = [0, 0, 0, 0, 0].map(() => ({ x: 0, y: 0 })) as unknown as FivePoints;

const face = (
  embedding: Float32Array,
  box: Box = { x1: 0, y1: 0, x2: 100, y2: 100 },
  quality = 0.9,
): Face => ({
  box,
  score: 0.99,
  points: noPoints,
  roll: 0,
  quality,
  embedding,
});

const candidate = (source: string, embedding: Float32Array): ReferenceCandidate => ({
  source,
  sha256: `sha-of-${source}`,
  face: face(embedding),
});

const bytesOf = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** Three photos of one person (pairwise cosine about 0.7) and a stranger's photo. */
const people = (seed: number) => {
  const rng = seededRng(seed);
  const person = randomUnitVector(rng);
  return {
    same: [0, 1, 2, 3].map(() => nearbyUnitVector(rng, person, 0.6)),
    stranger: randomUnitVector(rng),
    stranger2: randomUnitVector(rng),
  };
};

const sampleGallery = (): Gallery => {
  const { same } = people(11);
  return buildGallery(
    'alice',
    MODELS,
    same.slice(0, 3).map((e, i) => candidate(`refs/alice-${i}.jpg`, e)),
    [{ source: 'refs/blurry.jpg', reason: 'no face found' }],
    { minAgreement: 0.25, now: NOW },
  ).gallery;
};

describe('Function: pickReferenceFace', () => {
  it('returns undefined for a photo without faces', () => {
    // Prepare
    const faces: Face[] = [];

    // Act
    const picked = pickReferenceFace(faces);

    // Assess
    expect(picked).toBeUndefined();
  });

  it('prefers area times quality: a sharp smaller face beats a blurry bigger one', () => {
    // Prepare: 100x100 at 0.5 → 5000; 80x80 at 0.9 → 5760; 50x50 at 1 → 2500.
    const e = new Float32Array(2);
    const big = face(e, { x1: 0, y1: 0, x2: 100, y2: 100 }, 0.5);
    const sharp = face(e, { x1: 200, y1: 0, x2: 280, y2: 80 }, 0.9);
    const small = face(e, { x1: 300, y1: 0, x2: 350, y2: 50 }, 1);

    // Act
    const picked = pickReferenceFace([big, sharp, small]);

    // Assess
    expect(picked).toBe(sharp);
  });

  it('keeps the first of equally good faces', () => {
    // Prepare
    const e = new Float32Array(2);
    const first = face(e, { x1: 0, y1: 0, x2: 10, y2: 10 }, 0.5);
    const second = face(e, { x1: 50, y1: 0, x2: 60, y2: 10 }, 0.5);

    // Act
    const picked = pickReferenceFace([first, second]);

    // Assess
    expect(picked).toBe(first);
  });
});

describe('Function: centroidOf', () => {
  it('is the L2-normalised mean', () => {
    // Prepare
    const a = new Float32Array([1, 0]);
    const b = new Float32Array([0, 1]);

    // Act
    const c = centroidOf([a, b]);

    // Assess
    expect([...c]).toEqual([Math.fround(Math.SQRT1_2), Math.fround(Math.SQRT1_2)]);
  });

  it('throws a GalleryError for no embeddings', () => {
    // Prepare
    const none: Float32Array[] = [];

    // Act
    const act = () => centroidOf(none);

    // Assess
    expect(act).toThrow(GalleryError);
  });
});

describe('Function: buildGallery', () => {
  it('keeps all references that agree, without warnings', () => {
    // Prepare
    const { same } = people(1);
    const candidates = same.slice(0, 3).map((e, i) => candidate(`r${i}.jpg`, e));

    // Act
    const { gallery, warnings } = buildGallery('alice', MODELS, candidates, [], {
      minAgreement: 0.25,
      now: NOW,
    });

    // Assess
    expect(warnings).toEqual([]);
    expect(gallery.references.map((r) => r.source)).toEqual(['r0.jpg', 'r1.jpg', 'r2.jpg']);
    expect(gallery.rejected).toEqual([]);
    expect(gallery).toMatchObject({ version: GALLERY_VERSION, person: 'alice', modelSetId: MODELS });
    expect(gallery.createdAt).toBe('2024-05-06T07:08:09.000Z');
    expect(gallery.references[1]).toEqual({
      source: 'r1.jpg',
      sha256: 'sha-of-r1.jpg',
      box: { x1: 0, y1: 0, x2: 100, y2: 100 },
      quality: 0.9,
      embedding: same[1],
    });
  });

  it('rejects the odd one out among four references and records its agreement', () => {
    // Prepare: the stranger sits in the middle of the list.
    const { same, stranger } = people(2);
    const candidates = [
      candidate('a.jpg', same[0]!),
      candidate('b.jpg', same[1]!),
      candidate('odd.jpg', stranger),
      candidate('c.jpg', same[2]!),
    ];

    // Act
    const { gallery, warnings } = buildGallery('alice', MODELS, candidates, [], { minAgreement: 0.25 });

    // Assess
    expect(warnings).toEqual([]);
    expect(gallery.references.map((r) => r.source)).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    expect(gallery.rejected).toHaveLength(1);
    const [rejected] = gallery.rejected;
    expect(rejected!.source).toBe('odd.jpg');
    expect(rejected!.reason).toMatch(/disagrees/);
    expect(Math.abs(rejected!.agreement!)).toBeLessThan(0.25);
  });

  it('rejects the odd one out among exactly three references, then warns that only two remain', () => {
    // Prepare
    const { same, stranger } = people(3);
    const candidates = [
      candidate('odd.jpg', stranger),
      candidate('a.jpg', same[0]!),
      candidate('b.jpg', same[1]!),
    ];

    // Act
    const { gallery, warnings } = buildGallery('alice', MODELS, candidates, [], { minAgreement: 0.25 });

    // Assess
    expect(gallery.references.map((r) => r.source)).toEqual(['a.jpg', 'b.jpg']);
    expect(gallery.rejected.map((r) => r.source)).toEqual(['odd.jpg']);
    expect(warnings).toEqual(['only 2 usable reference(s); 3 or more make matching reliable']);
  });

  it('rejects two strangers one after the other, after the upstream rejections', () => {
    // Prepare
    const { same, stranger, stranger2 } = people(4);
    const candidates = [
      candidate('x.jpg', stranger),
      candidate('a.jpg', same[0]!),
      candidate('b.jpg', same[1]!),
      candidate('y.jpg', stranger2),
      candidate('c.jpg', same[2]!),
    ];
    const upstream = [{ source: 'blank.jpg', reason: 'no face found' }];

    // Act
    const { gallery } = buildGallery('alice', MODELS, candidates, upstream, { minAgreement: 0.25 });

    // Assess
    expect(gallery.references.map((r) => r.source)).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    expect(gallery.rejected[0]).toEqual({ source: 'blank.jpg', reason: 'no face found' });
    expect(
      gallery.rejected
        .slice(1)
        .map((r) => r.source)
        .sort(),
    ).toEqual(['x.jpg', 'y.jpg']);
    expect(upstream).toHaveLength(1);
  });

  it('keeps two disagreeing references but says a third is needed', () => {
    // Prepare
    const { same, stranger } = people(5);
    const candidates = [candidate('a.jpg', same[0]!), candidate('odd.jpg', stranger)];

    // Act
    const { gallery, warnings } = buildGallery('alice', MODELS, candidates, [], { minAgreement: 0.25 });

    // Assess
    expect(gallery.references).toHaveLength(2);
    expect(gallery.rejected).toEqual([]);
    expect(warnings).toEqual([
      'the two references disagree with each other; add a third so the odd one out can be rejected',
      'only 2 usable reference(s); 3 or more make matching reliable',
    ]);
  });

  it('warns for a single reference and uses it as the template', () => {
    // Prepare
    const { same } = people(6);

    // Act
    const { gallery, warnings } = buildGallery('alice', MODELS, [candidate('a.jpg', same[0]!)], [], {
      minAgreement: 0.25,
    });

    // Assess
    expect(warnings).toEqual(['only 1 usable reference(s); 3 or more make matching reliable']);
    for (let i = 0; i < 512; i++) expect(gallery.centroid[i]).toBeCloseTo(same[0]![i]!, 6);
  });

  it('throws a GalleryError naming the person when there is no reference', () => {
    // Prepare
    const none: ReferenceCandidate[] = [];

    // Act
    const act = () => buildGallery('alice', MODELS, none, [], { minAgreement: 0.25 });

    // Assess
    expect(act).toThrow(GalleryError);
    expect(act).toThrow(/alice/);
  });

  it('makes the centroid the normalised mean of the accepted references, closer to each than they are to each other', () => {
    // Prepare
    const { same, stranger } = people(7);
    const candidates = [...same.slice(0, 3), stranger].map((e, i) => candidate(`${i}.jpg`, e));

    // Act
    const { gallery } = buildGallery('alice', MODELS, candidates, [], { minAgreement: 0.25 });

    // Assess
    const expected = centroidOf(same.slice(0, 3));
    expect(bytesOf(gallery.centroid).equals(bytesOf(expected))).toBe(true);
    const norm = Math.hypot(...gallery.centroid);
    expect(norm).toBeCloseTo(1, 6);
    for (const e of same.slice(0, 3)) expect(scoreFace(gallery, e)).toBeGreaterThan(0.8);
  });
});

describe('Function: scoreFace', () => {
  it('is the cosine between the template and the face embedding', () => {
    // Prepare
    const gallery = { centroid: new Float32Array([1, 0, 0]) };
    const embedding = new Float32Array([0.6, 0.8, 0]);

    // Act
    const score = scoreFace(gallery, embedding);

    // Assess
    expect(score).toBe(Math.fround(0.6));
  });

  it('scores another photo of the person well above a stranger', () => {
    // Prepare
    const gallery = sampleGallery();
    const rng = seededRng(11);
    const person = randomUnitVector(rng);
    const newPhoto = nearbyUnitVector(seededRng(99), person, 0.6);
    const stranger = randomUnitVector(seededRng(100));

    // Act
    const own = scoreFace(gallery, newPhoto);
    const other = scoreFace(gallery, stranger);

    // Assess
    expect(own).toBeGreaterThan(0.6);
    expect(Math.abs(other)).toBeLessThan(0.2);
  });
});

describe('Function: bestMatch', () => {
  it('takes the single highest score when it passes the threshold', () => {
    // Prepare
    const scores = [0.3, 0.5, 0.45];

    // Act
    const best = bestMatch(scores, 0.4);

    // Assess
    expect(best).toEqual({ index: 1, score: 0.5 });
  });

  it('is inclusive at the threshold', () => {
    // Prepare
    const scores = [0.3, 0.5];

    // Act
    const atThreshold = bestMatch(scores, 0.5);
    const above = bestMatch(scores, 0.5000001);

    // Assess
    expect(atThreshold).toEqual({ index: 1, score: 0.5 });
    expect(above).toEqual({ index: -1, score: 0.5 });
  });

  it('matches at most one face: the first of tied best scores', () => {
    // Prepare
    const scores = [0.2, 0.7, 0.7];

    // Act
    const best = bestMatch(scores, 0.4);

    // Assess
    expect(best).toEqual({ index: 1, score: 0.7 });
  });

  it('returns index -1 and score -Infinity for no faces', () => {
    // Prepare
    const scores: number[] = [];

    // Act
    const best = bestMatch(scores, -1);

    // Assess
    expect(best).toEqual({ index: -1, score: Number.NEGATIVE_INFINITY });
  });
});

describe('Function: serializeGallery / parseGallery', () => {
  it('round-trips a gallery with embeddings bit-exact and the template recomputed identically', () => {
    // Prepare
    const gallery = sampleGallery();

    // Act
    const parsed = parseGallery(serializeGallery(gallery), MODELS);

    // Assess
    expect(parsed.person).toBe('alice');
    expect(parsed.modelSetId).toBe(MODELS);
    expect(parsed.createdAt).toBe('2024-05-06T07:08:09.000Z');
    expect(parsed.version).toBe(GALLERY_VERSION);
    expect(parsed.rejected).toEqual(gallery.rejected);
    expect(parsed.threshold).toBeUndefined();
    expect(parsed.references).toHaveLength(3);
    parsed.references.forEach((r, i) => {
      const original = gallery.references[i]!;
      expect({ ...r, embedding: undefined }).toEqual({ ...original, embedding: undefined });
      expect(bytesOf(r.embedding).equals(bytesOf(original.embedding))).toBe(true);
    });
    expect(bytesOf(parsed.centroid).equals(bytesOf(gallery.centroid))).toBe(true);
  });

  it('preserves awkward float values, views into larger buffers, threshold and calibration', () => {
    // Prepare: -0, a subnormal and a unit vector that is a view at byte offset 8.
    const backing = new Float32Array([99, 99, -0, 1e-40, 0.6, 0.8, 99]);
    const view = backing.subarray(2, 6);
    const reference: GalleryReference = {
      source: 'x.jpg',
      sha256: 'abc',
      box: { x1: 1.5, y1: 2, x2: 3, y2: 4 },
      quality: 0.75,
      embedding: view,
    };
    const gallery: Gallery = {
      version: GALLERY_VERSION,
      person: 'bob',
      modelSetId: MODELS,
      createdAt: NOW.toISOString(),
      threshold: 0.37,
      calibration: { method: 'teacher', pairs: 120 },
      references: [reference],
      rejected: [{ source: 'y.jpg', reason: 'disagrees', agreement: 0.01 }],
      centroid: new Float32Array(4),
    };

    // Act
    const parsed = parseGallery(serializeGallery(gallery), MODELS);

    // Assess
    const e = parsed.references[0]!.embedding;
    expect(e).toHaveLength(4);
    expect(bytesOf(e).equals(bytesOf(view))).toBe(true);
    expect(Object.is(e[0], -0)).toBe(true);
    expect(parsed.threshold).toBe(0.37);
    expect(parsed.calibration).toEqual({ method: 'teacher', pairs: 120 });
    expect(parsed.rejected).toEqual([{ source: 'y.jpg', reason: 'disagrees', agreement: 0.01 }]);
  });

  it('refuses a gallery made with another model set, naming both', () => {
    // Prepare
    const json = serializeGallery(sampleGallery());

    // Act
    const act = () => parseGallery(json, 'other-models@2#999999999999', 'alice.json');

    // Assess
    expect(act).toThrow(GalleryError);
    expect(act).toThrow(
      /alice\.json was made with models test-models@1#abcdef012345 but the engine runs other-models@2#999999999999/,
    );
  });

  it('refuses a file that is not JSON', () => {
    // Prepare
    const json = '{"version": 1, "person": ';

    // Act
    const act = () => parseGallery(json, MODELS, 'alice.json');

    // Assess
    expect(act).toThrow(GalleryError);
    expect(act).toThrow('alice.json is not valid JSON');
  });

  it('refuses JSON of the wrong shape: another version, no references, a missing field', () => {
    // Prepare
    const good = JSON.parse(serializeGallery(sampleGallery())) as Record<string, unknown>;
    const variants = [
      { ...good, version: 2 },
      { ...good, references: [] },
      { ...good, person: undefined },
      { ...good, threshold: 1.5 },
      [],
      null,
    ];

    for (const variant of variants) {
      // Act
      const act = () => parseGallery(JSON.stringify(variant), MODELS, 'g.json');

      // Assess
      expect(act).toThrow(GalleryError);
      expect(act).toThrow(/g\.json is not a mespotter gallery/);
    }
  });

  it('refuses an embedding whose byte length is not a whole number of float32 values with a GalleryError', () => {
    // Prepare: "AAA=" decodes to 2 bytes.
    const good = JSON.parse(serializeGallery(sampleGallery())) as { references: { embedding: string }[] };
    good.references[0]!.embedding = 'AAA=';

    // Act
    const act = () => parseGallery(JSON.stringify(good), MODELS, 'g.json');

    // Assess
    expect(act).toThrow(GalleryError);
  });

  it('refuses references whose embeddings have different lengths with a GalleryError', () => {
    // Prepare: the second reference holds 1 float instead of 512.
    const good = JSON.parse(serializeGallery(sampleGallery())) as { references: { embedding: string }[] };
    good.references[1]!.embedding = Buffer.from(new Float32Array([0.5]).buffer).toString('base64');

    // Act
    const act = () => parseGallery(JSON.stringify(good), MODELS, 'g.json');

    // Assess
    expect(act).toThrow(GalleryError);
  });
});
