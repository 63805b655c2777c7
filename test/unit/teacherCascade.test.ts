import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { RunReport } from '../../cli/report/RunReport.js';
import { decidePhoto } from '../../core/decide/decidePhoto.js';
import { PeopleMatrix } from '../../core/decide/PeopleMatrix.js';
import { personModelOf } from '../../core/decide/personModel.js';
import { centroidOf, GALLERY_VERSION, type Gallery } from '../../core/match/gallery.js';
import { PhotoStatus, resultLineSchema, runSummarySchema } from '../../core/report/resultLine.js';
import { cascadeReviewer } from '../../core/teacher/cascadeReviewer.js';
import { REKOGNITION_COMPARE_FACES_PRICING, teacherCostUsd } from '../../core/teacher/pricing.js';
import { type PersonDecision, parseGrayZone, TeacherCascade } from '../../core/teacher/TeacherCascade.js';
import { TokenBucket } from '../../core/teacher/TokenBucket.js';
import { addTeacherUsage, type TeacherLine, TeacherOutcome } from '../../core/teacher/teacherLine.js';
import type {
  Teacher,
  TeacherFace,
  TeacherResult,
  TeacherSource,
  TeacherTarget,
} from '../../core/teacher/types.js';
import type { Box, FivePoints, ImageAnalysis } from '../../core/types.js';
import type { TeacherHook } from '../../functions/shared/TeacherHook.js';

const noPoints = [0, 0, 0, 0, 0].map(() => ({ x: 0, y: 0 })) as unknown as FivePoints;
const boxAt = (i: number): Box => ({ x1: i * 200, y1: 0, x2: i * 200 + 100, y2: 120 });

/** The person's template is (1, 0); a face at `score` is (score, sqrt(1 - score²)). */
const centroid = centroidOf([new Float32Array([1, 0])]);
const gallery: Gallery = {
  version: GALLERY_VERSION,
  person: 'alice',
  modelSetId: 'm@1',
  createdAt: '2024-01-01T00:00:00.000Z',
  references: [
    {
      source: 'reference/alice/a.jpg',
      sha256: 'a',
      box: { x1: 10, y1: 20, x2: 110, y2: 140 },
      quality: 0.9,
      embedding: new Float32Array([1, 0]),
    },
  ],
  rejected: [],
  centroid,
};

const analysisOf = (scores: number[]): ImageAnalysis => ({
  width: 1000,
  height: 500,
  rejected: 0,
  faces: scores.map((s, i) => ({
    box: boxAt(i),
    score: 0.99,
    points: noPoints,
    roll: 0,
    quality: 0.9,
    embedding: new Float32Array([s, Math.sqrt(1 - s * s)]),
  })),
});

const THRESHOLD = 0.4;
/** The person's side of a photo: each face's score, and the best face at or above the threshold. */
const photo = (scores: number[]): { analysis: ImageAnalysis; decision: PersonDecision } => {
  const analysis = analysisOf(scores);
  let best = -1;
  scores.forEach((s, i) => {
    if (s >= THRESHOLD && (best < 0 || s > scores[best]!)) best = i;
  });
  return {
    analysis,
    decision: { faces: analysis.faces.map((f, i) => ({ box: f.box, score: scores[i]! })), matchIndex: best },
  };
};

/** A teacher that answers from a script and records what it was asked. */
class ScriptedTeacher implements Teacher {
  readonly id = 'scripted';
  readonly calls: { source: TeacherSource; target: TeacherTarget }[] = [];
  constructor(private readonly answer: () => Promise<TeacherResult>) {}
  compareFaces(source: TeacherSource, target: TeacherTarget): Promise<TeacherResult> {
    this.calls.push({ source, target });
    return this.answer();
  }
}

const sees = (faces: TeacherFace[]) => async (): Promise<TeacherResult> => ({
  ok: true,
  comparison: { faces, attempts: 1 },
});
/** The teacher's box for our face i, drawn a little differently. */
const theirBox = (i: number): Box => ({ x1: i * 200 + 4, y1: 6, x2: i * 200 + 98, y2: 125 });

const source: TeacherSource = { image: { kind: 'bytes', bytes: new Uint8Array([1]) } };
const image = { kind: 'bytes' as const, bytes: new Uint8Array([2]) };

const cascadeWith = (
  teacher: Teacher,
  extra: Partial<ConstructorParameters<typeof TeacherCascade>[1]> = {},
) => new TeacherCascade(teacher, { lo: 0.3, hi: 0.5, ...extra });

describe('TeacherCascade routing', () => {
  it('asks the teacher only when a gray-zone face decides the photo', () => {
    const c = cascadeWith(new ScriptedTeacher(sees([])));
    expect(c.routes(photo([0.45]).decision)).toBe(true);
    expect(c.routes(photo([0.3]).decision)).toBe(true);
    expect(c.routes(photo([0.5, 0.1]).decision)).toBe(true);
    // A face above hi already makes the photo a match; below lo is a sure non-match.
    expect(c.routes(photo([0.8, 0.45]).decision)).toBe(false);
    expect(c.routes(photo([0.29, 0.1]).decision)).toBe(false);
    expect(c.routes(photo([]).decision)).toBe(false);
  });

  it('decides locally, without a call, outside the gray zone', async () => {
    const teacher = new ScriptedTeacher(sees([]));
    const { analysis, decision } = photo([0.8, 0.45]);
    const reviewed = await cascadeWith(teacher).review({ analysis, decision, source, image });
    expect(reviewed).toEqual(decision);
    expect(reviewed.teacher).toBeUndefined();
    expect(teacher.calls).toHaveLength(0);
  });

  it('sends the photo with its upright size, so teacher boxes land in our pixel space', async () => {
    const teacher = new ScriptedTeacher(sees([]));
    const { analysis, decision } = photo([0.45]);
    await cascadeWith(teacher).review({ analysis, decision, source, image });
    expect(teacher.calls[0]!.target).toEqual({ image, width: 1000, height: 500 });
    expect(teacher.calls[0]!.source).toBe(source);
  });
});

describe('TeacherCascade decisions', () => {
  it('confirms a local match the teacher agrees with, and bills the call', async () => {
    const { analysis, decision } = photo([0.45, 0.1]);
    const teacher = new ScriptedTeacher(
      sees([
        { box: theirBox(0), similarity: 97 },
        { box: theirBox(1), similarity: 3 },
      ]),
    );
    const r = await cascadeWith(teacher).review({ analysis, decision, source, image });
    expect(r.matchIndex).toBeGreaterThanOrEqual(0);
    expect(r.matchIndex).toBe(0);
    expect(r.teacher).toEqual({
      outcome: TeacherOutcome.Confirmed,
      localStatus: 'matched',
      calls: 1,
      costUsd: 0.001,
      faces: [{ index: 0, label: 'match', similarity: 97 }],
    });
  });

  it('overturns a local match the teacher rejects', async () => {
    const { analysis, decision } = photo([0.45]);
    const r = await cascadeWith(new ScriptedTeacher(sees([{ box: theirBox(0), similarity: 12 }]))).review({
      analysis,
      decision,
      source,
      image,
    });
    expect(decision.matchIndex).toBeGreaterThanOrEqual(0);
    expect(r.matchIndex).toBe(-1);
    expect(r.teacher?.outcome).toBe(TeacherOutcome.Overturned);
    expect(r.faces[0]!.score).toBeCloseTo(0.45);
  });

  it('overturns a near miss the teacher recognises', async () => {
    const { analysis, decision } = photo([0.35]);
    const r = await cascadeWith(new ScriptedTeacher(sees([{ box: theirBox(0), similarity: 88 }]))).review({
      analysis,
      decision,
      source,
      image,
    });
    expect(decision.matchIndex).toBe(-1);
    expect(r.matchIndex).toBeGreaterThanOrEqual(0);
    expect(r.matchIndex).toBe(0);
    expect(r.teacher).toMatchObject({ outcome: TeacherOutcome.Overturned, localStatus: 'no_match' });
  });

  it('takes the face the teacher matches when it is not our best one', async () => {
    const { analysis, decision } = photo([0.45, 0.38]);
    const teacher = new ScriptedTeacher(
      sees([
        { box: theirBox(0), similarity: 20 },
        { box: theirBox(1), similarity: 96 },
      ]),
    );
    const r = await cascadeWith(teacher).review({ analysis, decision, source, image });
    expect(decision.matchIndex).toBe(0);
    expect(r.matchIndex).toBe(1);
    expect(r.teacher?.outcome).toBe(TeacherOutcome.Overturned);
  });

  it("takes the teacher's most similar face when it matches several", async () => {
    const { analysis, decision } = photo([0.45, 0.42, 0.4]);
    const teacher = new ScriptedTeacher(
      sees([
        { box: theirBox(0), similarity: 81 },
        { box: theirBox(1), similarity: 99 },
        { box: theirBox(2), similarity: 90 },
      ]),
    );
    const r = await cascadeWith(teacher).review({ analysis, decision, source, image });
    expect(r.matchIndex).toBe(1);
  });

  it('keeps our verdict on a gray face the teacher did not find', async () => {
    const { analysis, decision } = photo([0.45]);
    const r = await cascadeWith(new ScriptedTeacher(sees([{ box: theirBox(3), similarity: 99 }]))).review({
      analysis,
      decision,
      source,
      image,
    });
    expect(r.matchIndex).toBeGreaterThanOrEqual(0);
    expect(r.matchIndex).toBe(0);
    expect(r.teacher).toMatchObject({
      outcome: TeacherOutcome.Confirmed,
      faces: [{ index: 0, label: 'unpaired' }],
    });
  });

  it('applies its own similarity threshold', async () => {
    const { analysis, decision } = photo([0.45]);
    const teacher = new ScriptedTeacher(sees([{ box: theirBox(0), similarity: 85 }]));
    const strict = await cascadeWith(teacher, { teacherThreshold: 90 }).review({
      analysis,
      decision,
      source,
      image,
    });
    expect(strict.matchIndex).toBe(-1);
  });
});

describe('TeacherCascade failures and rate limit', () => {
  it('falls back to the local decision on a typed failure and records it', async () => {
    const { analysis, decision } = photo([0.45]);
    const teacher = new ScriptedTeacher(async () => ({
      ok: false,
      failure: { code: 'teacher_throttled', message: 'Rate exceeded', attempts: 5 },
    }));
    const r = await cascadeWith(teacher).review({ analysis, decision, source, image });
    expect(r.matchIndex).toBe(decision.matchIndex);
    expect(r.teacher).toEqual({
      outcome: TeacherOutcome.Failed,
      localStatus: 'matched',
      calls: 1,
      costUsd: 0,
      failure: { code: 'teacher_throttled', message: 'Rate exceeded' },
    });
  });

  it('falls back when a teacher throws instead of returning a failure', async () => {
    const { analysis, decision } = photo([0.35]);
    const r = await cascadeWith(
      new ScriptedTeacher(async () => {
        throw new Error('socket hang up');
      }),
    ).review({ analysis, decision, source, image });
    expect(r.matchIndex).toBe(-1);
    expect(r.teacher).toMatchObject({
      outcome: TeacherOutcome.Failed,
      failure: { message: 'socket hang up' },
    });
  });

  it('decides locally, without a call, when no slot frees up within maxWaitMs', async () => {
    let now = 0;
    const teacher = new ScriptedTeacher(sees([{ box: theirBox(0), similarity: 10 }]));
    const cascade = cascadeWith(teacher, { ratePerSecond: 1, burst: 1, maxWaitMs: 0, now: () => now });
    const { analysis, decision } = photo([0.45]);
    const first = await cascade.review({ analysis, decision, source, image });
    const second = await cascade.review({ analysis, decision, source, image });
    expect(first.teacher?.outcome).toBe(TeacherOutcome.Overturned);
    expect(second.matchIndex).toBeGreaterThanOrEqual(0);
    expect(second.teacher).toEqual({
      outcome: TeacherOutcome.RateLimited,
      localStatus: 'matched',
      calls: 0,
      costUsd: 0,
    });
    expect(teacher.calls).toHaveLength(1);
    now = 1000;
    const third = await cascade.review({ analysis, decision, source, image });
    expect(third.teacher?.outcome).toBe(TeacherOutcome.Overturned);
    expect(teacher.calls).toHaveLength(2);
  });

  it('waits for its slot when allowed to', async () => {
    const sleep = vi.fn(async (_ms: number) => undefined);
    const teacher = new ScriptedTeacher(sees([]));
    const cascade = cascadeWith(teacher, { ratePerSecond: 2, burst: 1, now: () => 0, sleep });
    const { analysis, decision } = photo([0.45]);
    await cascade.review({ analysis, decision, source, image });
    await cascade.review({ analysis, decision, source, image });
    await cascade.review({ analysis, decision, source, image });
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([500, 1000]);
    expect(teacher.calls).toHaveLength(3);
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then one token per 1/rate seconds', () => {
    let now = 0;
    const bucket = new TokenBucket(4, 2, () => now);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(250);
    expect(bucket.reserve()).toBe(500);
    now = 500;
    expect(bucket.reserve(0)).toBeUndefined();
    now = 750;
    expect(bucket.reserve(0)).toBe(0);
  });

  it('does not bank more than the burst', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 1, () => now);
    now = 60_000;
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(100);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow(/positive/);
  });
});

describe('gray zone and cost', () => {
  it('parses LO,HI and refuses nonsense', () => {
    expect(parseGrayZone('0.3, 0.5')).toEqual({ lo: 0.3, hi: 0.5 });
    expect(() => parseGrayZone('0.5,0.3')).toThrow(/LO <= HI/);
    expect(() => parseGrayZone('0.3')).toThrow(/LO,HI/);
    expect(() => parseGrayZone('a,b')).toThrow(/LO,HI/);
  });

  it('prices calls at the first tier by default, in micro-dollars', () => {
    expect(teacherCostUsd(3, REKOGNITION_COMPARE_FACES_PRICING)).toBe(0.003);
    expect(teacherCostUsd(1_234_567, { perCallUsd: 0.0008, note: 'tier 2' })).toBe(987.6536);
  });

  it('totals line fields into run-summary usage', () => {
    const lines: (TeacherLine | undefined)[] = [
      undefined,
      { outcome: 'confirmed', localStatus: 'matched', calls: 1, costUsd: 0.001 },
      { outcome: 'overturned', localStatus: 'no_match', calls: 1, costUsd: 0.001 },
      { outcome: 'failed', localStatus: 'matched', calls: 1, costUsd: 0 },
      { outcome: 'rate_limited', localStatus: 'matched', calls: 0, costUsd: 0 },
    ];
    expect(addTeacherUsage(undefined, undefined)).toBeUndefined();
    expect(lines.reduce(addTeacherUsage, undefined)).toEqual({
      routed: 4,
      calls: 3,
      failures: 1,
      rateLimited: 1,
      overturned: 1,
      costUsd: 0.002,
    });
  });
});

describe('cascade in reports', () => {
  it('puts line fields in results.jsonl and totals in summary.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-teacher-'));
    try {
      const report = await RunReport.open(dir, {
        runId: 'r',
        people: [{ name: 'alice', threshold: THRESHOLD }],
        modelSetId: 'm@1',
        input: '/in',
        output: '/out',
        dryRun: true,
      });
      const base = { people: [], faces: [] };
      await report.add({ ...base, path: 'a.jpg', status: PhotoStatus.NoMatch });
      await report.add({
        ...base,
        path: 'b.jpg',
        status: PhotoStatus.NoMatch,
        teacher: [
          { person: 'alice', outcome: 'overturned', localStatus: 'matched', calls: 1, costUsd: 0.001 },
        ],
      });
      const summary = await report.close();
      expect(summary.teacher).toEqual({
        routed: 1,
        calls: 1,
        failures: 0,
        rateLimited: 0,
        overturned: 1,
        costUsd: 0.001,
      });
      const written = runSummarySchema.parse(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')));
      expect(written.teacher?.overturned).toBe(1);
      const lines = (await readFile(join(dir, 'results.jsonl'), 'utf8')).trim().split('\n');
      expect(resultLineSchema.parse(JSON.parse(lines[1]!)).teacher?.[0]?.outcome).toBe('overturned');
      expect(JSON.parse(lines[0]!).teacher).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves runs without a cascade without a teacher field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-teacher-'));
    try {
      const report = await RunReport.open(dir, {
        runId: 'r',
        people: [{ name: 'alice', threshold: THRESHOLD }],
        modelSetId: 'm@1',
        input: '/in',
        output: '/out',
        dryRun: true,
      });
      await report.add({
        people: [],
        faces: [],
        path: 'a.jpg',
        status: 'no_face',
      });
      expect('teacher' in (await report.close())).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('cascadeReviewer (verify stage)', () => {
  it('satisfies TeacherHook and reads both photos from the bucket', async () => {
    const teacher = new ScriptedTeacher(sees([{ box: theirBox(0), similarity: 5 }]));
    const hook: TeacherHook = cascadeReviewer(cascadeWith(teacher));
    const { analysis } = photo([0.45]);
    const people = PeopleMatrix.build([personModelOf(gallery, THRESHOLD)]);
    const decision = decidePhoto(analysis.faces, people, { margin: 0, exclusive: true });
    expect(decision.people).toEqual(['alice']);
    const reviewed = await hook.review({
      bucket: 'photos',
      key: 'incoming/x.jpg',
      galleries: new Map([['alice', gallery]]),
      people,
      searched: ['alice'],
      analysis,
      decision,
    });
    expect(reviewed.decision.people).toEqual([]);
    expect(reviewed.teacher).toMatchObject([{ person: 'alice', outcome: 'overturned' }]);
    expect(teacher.calls[0]!.source).toEqual({
      image: { kind: 's3', bucket: 'photos', key: 'reference/alice/a.jpg' },
      face: gallery.references[0]!.box,
    });
    expect(teacher.calls[0]!.target.image).toEqual({ kind: 's3', bucket: 'photos', key: 'incoming/x.jpg' });
  });
});
