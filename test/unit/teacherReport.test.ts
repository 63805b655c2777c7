import { describe, expect, it } from 'vitest';
import { renderTeacherReport } from '../../cli/teacher/teacherReportHtml.js';
import { type BenchmarkPhoto, summarizeBenchmark } from '../../core/teacher/benchmark.js';
import { REKOGNITION_COMPARE_FACES_PRICING } from '../../core/teacher/pricing.js';
import type { Box } from '../../core/types.js';

const box = (x: number): Box => ({ x1: x, y1: 0, x2: x + 100, y2: 100 });
const face = (
  index: number,
  score: number,
  label: 'match' | 'no_match' | 'unpaired',
  similarity?: number,
) => ({
  index,
  box: box(index * 200),
  score,
  label,
  ...(similarity !== undefined ? { similarity, teacherBox: box(index * 200 + 5) } : {}),
});

const photos: BenchmarkPhoto[] = [
  // Agreement on both faces.
  {
    path: 'a.jpg',
    width: 1000,
    height: 500,
    status: 'compared',
    faces: [face(0, 0.7, 'match', 99), face(1, 0.1, 'no_match', 2)],
    teacherOnly: [],
  },
  // We accept a face the teacher rejects (false positive against the teacher).
  {
    path: 'b<1>.jpg',
    width: 1000,
    height: 500,
    status: 'compared',
    faces: [face(0, 0.45, 'no_match', 40)],
    teacherOnly: [],
  },
  // The teacher finds the person where we found nobody (a detector miss).
  {
    path: 'c.jpg',
    width: 1000,
    height: 500,
    status: 'compared',
    faces: [face(0, 0.2, 'unpaired')],
    teacherOnly: [{ box: box(600), similarity: 93, label: 'match' }],
  },
  {
    path: 'd.jpg',
    status: 'failed',
    faces: [],
    teacherOnly: [],
    failure: { code: 'teacher_throttled', message: 'Rate exceeded' },
  },
  {
    path: 'e.jpg',
    status: 'error',
    faces: [],
    teacherOnly: [],
    failure: { code: 'corrupt_image', message: 'x' },
  },
];

const context = {
  teacher: 'aws-rekognition:CompareFaces',
  person: 'alice',
  threshold: 0.4,
  teacherThreshold: 80,
  pricing: REKOGNITION_COMPARE_FACES_PRICING,
};

describe('summarizeBenchmark', () => {
  const b = summarizeBenchmark(photos, context);

  it('counts photos, faces, calls and cost', () => {
    expect(b.photos).toEqual({ sampled: 5, compared: 3, failed: 1, errors: 1, withoutOurFaces: 0 });
    expect(b.faces).toEqual({ ours: 4, paired: 3, unpaired: 1, teacherOnly: 1, teacherOnlyMatches: 1 });
    expect(b.calls).toBe(4);
    expect(b.billedCalls).toBe(3);
    expect(b.costUsd).toBe(0.003);
    expect(b.failuresByCode).toEqual({ teacher_throttled: 1 });
  });

  it('scores faces against the teacher at the current threshold, misses included', () => {
    expect(b.atThreshold).toMatchObject({ tp: 1, fp: 1, fn: 1, tn: 1, missed: 1 });
    expect(b.atThreshold.agreement).toBe(0.5);
    expect(b.atThreshold.precision).toBe(0.5);
    expect(b.atThreshold.recall).toBe(0.5);
  });

  it('scores photos: a match anywhere for the teacher, the best face for us', () => {
    // a: both match; b: we match, teacher not; c: teacher match, we not.
    expect(b.photoLevel).toMatchObject({ tp: 1, fp: 1, fn: 1, tn: 0 });
  });

  it('finds the threshold that agrees best and lists the disagreements', () => {
    expect(b.best?.threshold).toBeCloseTo(0.575);
    expect(b.best?.agreement).toBe(1);
    expect(b.disagreements.map((d) => [d.path, d.ours, d.teacher])).toEqual([
      ['b<1>.jpg', 'match', 'no_match'],
      ['c.jpg', 'not_detected', 'match'],
    ]);
  });
});

describe('renderTeacherReport', () => {
  it('shows each disagreement as an inline picture with its boxes, and escapes paths', () => {
    const b = summarizeBenchmark(photos, context);
    const thumb = { dataUri: 'data:image/jpeg;base64,AAAA', width: 480, height: 240 };
    const html = renderTeacherReport(
      b,
      new Map([
        ['b<1>.jpg', thumb],
        ['c.jpg', thumb],
      ]),
      new Map(photos.map((p) => [p.path, { width: p.width ?? 0, height: p.height ?? 0 }])),
    );
    expect(html.match(/<img src="data:image\/jpeg;base64,AAAA"/g)).toHaveLength(2);
    expect(html).toContain('b&lt;1&gt;.jpg');
    expect(html).not.toContain('b<1>.jpg');
    // Our face in b.jpg: x 0..100 of 1000 wide → left 0 %, width 10 %.
    expect(html).toContain(
      'class="box ours match" style="left:0.000%;top:0.000%;width:10.000%;height:20.000%"',
    );
    expect(html).toContain('class="box teacher"');
    expect(html).toContain('$0.0030');
  });
});
