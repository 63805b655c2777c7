import { describe, expect, it } from 'vitest';
import { centroidOf, GALLERY_VERSION, type Gallery } from '../../core/match/gallery.js';
import type { Reviewer, ReviewInput } from '../../core/teacher/cascadeReviewer.js';
import type { Box, FivePoints, ImageAnalysis } from '../../core/types.js';
import type { VerifyMessage } from '../../functions/shared/messages.js';
import { trustEngine } from '../../functions/shared/TeacherHook.js';
import { enrolledPeople } from '../../functions/verify/EnrolledPeople.js';
import { verifyPhoto } from '../../functions/verify/verifyPhoto.js';

const unit = (...v: number[]): Float32Array => {
  const n = Math.hypot(...v);
  return new Float32Array(v.map((x) => x / n));
};

const REF_BOX: Box = { x1: 10, y1: 10, x2: 60, y2: 70 };
const gallery = (person: string, template: Float32Array, extra: Partial<Gallery> = {}): Gallery => ({
  version: GALLERY_VERSION,
  person,
  modelSetId: 'm@1',
  createdAt: '2026-01-01T00:00:00.000Z',
  references: [
    {
      source: `reference/${person}/r.jpg`,
      sha256: `ref-${person}`,
      box: REF_BOX,
      quality: 1,
      embedding: template,
    },
  ],
  rejected: [],
  centroid: centroidOf([template]),
  ...extra,
});

const noPoints = [0, 0, 0, 0, 0].map(() => ({ x: 0, y: 0 })) as unknown as FivePoints;
const boxAt = (i: number): Box => ({ x1: i * 100, y1: 0, x2: i * 100 + 50, y2: 60 });
const analysisOf = (
  embeddings: Float32Array[],
  boxes: Box[] = embeddings.map((_, i) => boxAt(i)),
): ImageAnalysis => ({
  width: 800,
  height: 600,
  rejected: 0,
  faces: embeddings.map((embedding, i) => ({
    box: boxes[i]!,
    score: 0.99,
    points: noPoints,
    roll: 0,
    quality: 0.9,
    embedding,
  })),
});
const message = (key: string, sha256 = `sha-${key}`): VerifyMessage => ({
  runId: 'run-1',
  bucket: 'photos',
  key,
  etag: '"e"',
  sha256,
  cached: false,
  ms: 3,
});

const ALICE = unit(1, 0, 0);
const BOB = unit(0, 1, 0);

describe('Function: verify through the decision core', () => {
  it('finds everyone enrolled in one pass: one line, a copy per person under matches/<person>/<key>', async () => {
    // Arrange
    const people = enrolledPeople([gallery('bob', BOB), gallery('alice', ALICE)], 'm@1');
    const analysis = analysisOf([unit(0.9, 0.1, 0.3), unit(0.1, 0.9, 0.3), unit(0, 0, 1)]);

    // Act
    const { line, copies } = await verifyPhoto({
      message: message('incoming/a b.jpg'),
      analysis,
      people,
      reviewer: trustEngine,
    });

    // Assert
    expect(line).toMatchObject({ path: 'incoming/a b.jpg', status: 'matched', people: ['alice', 'bob'] });
    expect(line.faces.map((f) => f.person)).toEqual(['alice', 'bob', null]);
    expect(line.faces[0]!.margin).toBeGreaterThan(0.5);
    expect(line.faces[2]).toMatchObject({ person: null, best: expect.any(String) });
    expect(copies).toEqual([
      { people: ['alice'], destination: 'matches/alice/incoming/a b.jpg' },
      { people: ['bob'], destination: 'matches/bob/incoming/a b.jpg' },
    ]);
  });

  it('gives a face to the closer of two similar people only, where independent thresholds took both', async () => {
    // Arrange: bob's template is close to alice's; the face is closer to bob, above both thresholds.
    const people = enrolledPeople([gallery('alice', ALICE), gallery('bob', unit(0.8, 0.6, 0))], 'm@1');
    const analysis = analysisOf([unit(0.6, 0.8, 0)]);
    const input = { message: message('k.jpg'), analysis, people, reviewer: trustEngine };

    // Act
    const exclusive = await verifyPhoto(input);
    const independent = await verifyPhoto({ ...input, policy: { margin: 0, exclusive: false } });

    // Assert
    expect(exclusive.line.people).toEqual(['bob']);
    expect(exclusive.line.faces[0]).toMatchObject({ person: 'bob', decidedBy: 'auto' });
    expect(exclusive.copies.map((c) => c.destination)).toEqual(['matches/bob/k.jpg']);
    expect(independent.line.people).toEqual(['alice', 'bob']);
  });

  it('leaves a face unknown when the runner-up person is within the margin', async () => {
    // Arrange: the face is as close to alice as to bob, well above both thresholds.
    const people = enrolledPeople([gallery('alice', ALICE), gallery('bob', BOB)], 'm@1');

    // Act
    const { line, copies } = await verifyPhoto({
      message: message('k.jpg'),
      analysis: analysisOf([unit(1, 0.98, 0.2)]),
      people,
      reviewer: trustEngine,
    });

    // Assert
    expect(line.status).toBe('no_match');
    expect(line.faces[0]!.person).toBeNull();
    expect(line.faces[0]!.best).toBe('alice');
    expect(line.faces[0]!.margin).toBeLessThan(0.05);
    expect(copies).toEqual([]);
  });

  it('never gives a person a face their gallery lists as not them (a negative), however close', async () => {
    // Arrange
    const face = unit(0.95, 0.05, 0.3);
    const people = enrolledPeople(
      [gallery('alice', ALICE, { negatives: [{ source: 'review', embedding: face }] }), gallery('bob', BOB)],
      'm@1',
    );

    // Act
    const { line } = await verifyPhoto({
      message: message('k.jpg'),
      analysis: analysisOf([face]),
      people,
      reviewer: trustEngine,
    });

    // Assert
    expect(line.status).toBe('no_match');
    expect(line.faces[0]!.person).toBeNull();
  });

  it("takes a reference photo's enrolled face as the person (a human label) and marks it", async () => {
    // Arrange: alice's own reference photo, whose face scores under her threshold (a poor template).
    const people = enrolledPeople([gallery('alice', ALICE), gallery('bob', BOB)], 'm@1');
    const analysis = analysisOf([unit(0.2, 0.1, 1), unit(0.1, 0.95, 0.1)], [REF_BOX, boxAt(3)]);

    // Act
    const { line } = await verifyPhoto({
      message: message('incoming/ref.jpg', 'ref-alice'),
      analysis,
      people,
      reviewer: trustEngine,
    });

    // Assert
    expect(line.people).toEqual(['alice', 'bob']);
    expect(line.faces[0]).toMatchObject({ person: 'alice', decidedBy: 'human', reference: true });
    expect(line.faces[1]).toMatchObject({ person: 'bob', decidedBy: 'auto' });
    expect(line.faces[1]).not.toHaveProperty('reference');
  });

  it('hands the reviewer everyone enrolled and writes its verdict and teacher entries into the line', async () => {
    // Arrange: a reviewer that removes bob and says so.
    const people = enrolledPeople([gallery('alice', ALICE), gallery('bob', BOB)], 'm@1');
    let seen: ReviewInput | undefined;
    const reviewer: Reviewer = {
      review: async (input) => {
        seen = input;
        const faces = input.decision.faces.map((f) => (f.person === 'bob' ? { ...f, person: null } : f));
        return {
          decision: { ...input.decision, faces, people: ['alice'] },
          teacher: [
            { person: 'bob', outcome: 'overturned', localStatus: 'matched', calls: 1, costUsd: 0.001 },
          ],
        };
      },
    };

    // Act
    const { line, copies } = await verifyPhoto({
      message: message('k.jpg'),
      analysis: analysisOf([unit(0.9, 0.1, 0.3), unit(0.1, 0.9, 0.3)]),
      people,
      reviewer,
    });

    // Assert
    expect(seen).toMatchObject({ bucket: 'photos', key: 'k.jpg', searched: ['alice', 'bob'] });
    expect([...seen!.galleries.keys()]).toEqual(['alice', 'bob']);
    expect(line.people).toEqual(['alice']);
    expect(line.faces.map((f) => f.person)).toEqual(['alice', null]);
    expect(line.teacher).toEqual([
      { person: 'bob', outcome: 'overturned', localStatus: 'matched', calls: 1, costUsd: 0.001 },
    ]);
    expect(copies.map((c) => c.destination)).toEqual(['matches/alice/k.jpg']);
  });
});
