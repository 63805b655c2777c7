import { describe, expect, it } from 'vitest';
import { labelFaces, TeacherLabel, teacherLabelOf } from '../../core/teacher/labels.js';
import { pairByIou, ratioBoxToPixels } from '../../core/teacher/pairFaces.js';
import type { Box } from '../../core/types.js';

const box = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });

describe('ratioBoxToPixels', () => {
  it('scales fractions of width and height separately', () => {
    const b = ratioBoxToPixels({ left: 0.25, top: 0.1, width: 0.5, height: 0.2 }, 800, 600);
    expect(b.x1).toBeCloseTo(200);
    expect(b.y1).toBeCloseTo(60);
    expect(b.x2).toBeCloseTo(600);
    expect(b.y2).toBeCloseTo(180);
  });

  it('keeps boxes that reach past the image edge', () => {
    const b = ratioBoxToPixels({ left: -0.05, top: 0.9, width: 0.1, height: 0.2 }, 1000, 500);
    expect(b.x1).toBeCloseTo(-50);
    expect(b.x2).toBeCloseTo(50);
    expect(b.y2).toBeCloseTo(550);
  });
});

describe('pairByIou', () => {
  it('pairs each face with the box it overlaps most, one to one', () => {
    const ours = [box(0, 0, 100, 100), box(200, 0, 300, 100), box(500, 500, 600, 600)];
    // Listed in a different order and slightly shifted, as another detector would draw them.
    const theirs = [box(210, 5, 305, 110), box(5, 10, 95, 110)];
    const p = pairByIou(ours, theirs);
    expect(p.pairs.map((x) => [x.ours, x.theirs])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(p.unpairedOurs).toEqual([2]);
    expect(p.unpairedTheirs).toEqual([]);
  });

  it('gives a contested teacher box to the better overlap and leaves the other face unpaired', () => {
    const ours = [box(0, 0, 100, 100), box(40, 0, 140, 100)];
    const theirs = [box(35, 0, 135, 100)];
    const p = pairByIou(ours, theirs);
    expect(p.pairs).toHaveLength(1);
    expect(p.pairs[0]!.ours).toBe(1);
    expect(p.unpairedOurs).toEqual([0]);
  });

  it('does not pair boxes overlapping less than minIou', () => {
    // IoU = 25*100 / (2*10000 - 2500) = 0.1428…
    const p = pairByIou([box(0, 0, 100, 100)], [box(75, 0, 175, 100)], 0.3);
    expect(p.pairs).toEqual([]);
    expect(p.unpairedTheirs).toEqual([0]);
    expect(pairByIou([box(0, 0, 100, 100)], [box(75, 0, 175, 100)], 0.1).pairs).toHaveLength(1);
  });
});

describe('teacher labels', () => {
  it('maps similarity to match at or above the teacher threshold, and "unmatched" faces to no match', () => {
    expect(teacherLabelOf(80, 80)).toBe(TeacherLabel.Match);
    expect(teacherLabelOf(79.99, 80)).toBe(TeacherLabel.NoMatch);
    expect(teacherLabelOf(undefined, 0)).toBe(TeacherLabel.NoMatch);
  });

  it('labels our faces through the IoU pairing and keeps faces only the teacher found', () => {
    const ours = [
      { box: box(0, 0, 100, 100), score: 0.62 },
      { box: box(200, 0, 300, 100), score: 0.31 },
      { box: box(400, 0, 500, 100), score: 0.2 },
    ];
    const teacher = [
      { box: box(205, 3, 298, 104), similarity: 12.5 },
      { box: box(2, 4, 101, 99), similarity: 99.1 },
      { box: box(700, 0, 800, 100), similarity: 91 },
      { box: box(900, 0, 990, 100) },
    ];
    const { faces, teacherOnly } = labelFaces(ours, teacher, { teacherThreshold: 80 });
    expect(faces.map((f) => f.label)).toEqual([
      TeacherLabel.Match,
      TeacherLabel.NoMatch,
      TeacherLabel.Unpaired,
    ]);
    expect(faces[0]!.similarity).toBe(99.1);
    expect(faces[1]!.teacherBox).toEqual(teacher[0]!.box);
    expect(faces[2]!.similarity).toBeUndefined();
    expect(teacherOnly.map((t) => t.label)).toEqual([TeacherLabel.Match, TeacherLabel.NoMatch]);
  });

  it('moves labels with the teacher threshold', () => {
    const ours = [{ box: box(0, 0, 100, 100), score: 0.5 }];
    const teacher = [{ box: box(0, 0, 100, 100), similarity: 85 }];
    expect(labelFaces(ours, teacher, { teacherThreshold: 80 }).faces[0]!.label).toBe(TeacherLabel.Match);
    expect(labelFaces(ours, teacher, { teacherThreshold: 90 }).faces[0]!.label).toBe(TeacherLabel.NoMatch);
  });
});
