/**
 * The pure parts of `tag`, `enroll --from-tags` and `--compare-tags`: which faces are named, how
 * tagged regions meet detected faces, and what counts as a disagreement.
 */
import { describe, expect, it } from 'vitest';
import { facesToTag } from '../../cli/tag/facesToTag.js';
import { matchBoxes, REGION_FACE_IOU } from '../../cli/tag/matchBoxes.js';
import { DisagreementKind, tagDisagreements } from '../../cli/tag/tagDisagreements.js';
import type { FaceDecision } from '../../core/decide/decidePhoto.js';
import type { Box, Face, ImageAnalysis } from '../../core/types.js';
import { aFace, anAnalysis, noPoints } from '../helpers/factories.js';

const box = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });

const face = (b: Box): Face => aFace({ box: b, points: noPoints, embedding: new Float32Array(4) });

const analysis = (boxes: Box[]): ImageAnalysis => anAnalysis(boxes.map(face));

const decided = (
  person: string | null,
  score: number,
  decidedBy: FaceDecision['decidedBy'],
): FaceDecision => ({
  person,
  score,
  best: person,
  margin: null,
  decidedBy,
});

describe('facesToTag: only confirmed or automatic decisions of searched people are named', () => {
  const a = analysis([
    box(10, 10, 110, 130),
    box(300, 10, 400, 130),
    box(600, 10, 700, 130),
    box(800, 10, 900, 130),
  ]);
  const decisions = [
    decided('Mia', 0.62, 'auto'),
    decided('Rose', Number.NaN, 'human'),
    decided(null, 0.3, null),
    decided('Ada', 0.9, 'auto'),
  ];

  it('names searched people, with the engine box and the upright size of the analysis', () => {
    const faces = facesToTag(a, decisions, { searched: new Set(['Mia', 'Rose']), unknownRegions: false });
    expect(faces).toEqual([
      { name: 'Mia', box: box(10, 10, 110, 130), uprightWidth: 1000, uprightHeight: 800 },
      { name: 'Rose', box: box(300, 10, 400, 130), uprightWidth: 1000, uprightHeight: 800 },
    ]);
  });

  it('--min-score drops weaker automatic decisions but never a human one', () => {
    const faces = facesToTag(a, decisions, {
      searched: new Set(['Mia', 'Rose', 'Ada']),
      minScore: 0.7,
      unknownRegions: false,
    });
    expect(faces.map((f) => f.name)).toEqual(['Rose', 'Ada']);
  });

  it('--unknown-regions writes every face without a name as an unnamed region', () => {
    const faces = facesToTag(a, decisions, {
      searched: new Set(['Mia']),
      minScore: 0.7,
      unknownRegions: true,
    });
    expect(faces.map((f) => f.name)).toEqual([null, null, null, null]);
    const all = facesToTag(a, decisions, { searched: new Set(['Mia', 'Rose']), unknownRegions: true });
    expect(all.map((f) => f.name)).toEqual(['Mia', 'Rose', null, null]);
  });
});

describe('matchBoxes: tagged regions meet detected faces one to one', () => {
  it('takes the best overlap first and never gives one face to two regions', () => {
    // Two overlapping faces; region 0 overlaps face 1 most (0.54) but face 1 is region 1's (1.0).
    const faces = [box(100, 100, 200, 220), box(180, 100, 280, 220)];
    const regions = [box(150, 100, 250, 220), box(180, 100, 280, 220), box(600, 600, 700, 700)];
    expect(matchBoxes(regions, faces)).toEqual([0, 1, null]);
  });

  it('accepts the looser framing of other programs, not a neighbour', () => {
    const f = box(100, 100, 200, 200);
    // 1.5x a side around the face: IoU 0.44.
    expect(matchBoxes([box(75, 75, 225, 225)], [f])).toEqual([0]);
    // Shifted by most of a face: a neighbour, not this face.
    expect(matchBoxes([box(170, 100, 270, 200)], [f])).toEqual([null]);
    expect(REGION_FACE_IOU).toBeLessThan(0.44);
  });
});

describe('tagDisagreements', () => {
  const mia = box(100, 100, 200, 220);
  const rose = box(400, 100, 500, 220);
  const stranger = box(700, 100, 800, 220);
  const faces = [
    { box: mia, person: 'Mia' },
    { box: rose, person: 'Rose' },
    { box: stranger, person: null },
  ];

  it('agreeing tags give nothing', () => {
    expect(
      tagDisagreements(
        [
          { name: 'Mia', box: box(95, 95, 205, 225) },
          { name: 'Rose', box: rose },
        ],
        ['Mia', 'Rose'],
        faces,
      ),
    ).toEqual([]);
  });

  it('a different name, a tagged name not found, a person found untagged', () => {
    const out = tagDisagreements(
      [
        { name: 'Rose', box: mia },
        { name: 'Zed', box: stranger },
        { name: 'Ghost', box: box(900, 600, 950, 650) },
      ],
      ['Quinn'],
      faces,
    );
    expect(out).toEqual([
      { kind: DisagreementKind.DifferentName, tagged: 'Rose', found: 'Mia', box: mia },
      { kind: DisagreementKind.NotFound, tagged: 'Zed', box: stranger },
      { kind: DisagreementKind.NotFound, tagged: 'Ghost', box: box(900, 600, 950, 650) },
      { kind: DisagreementKind.NotTagged, found: 'Rose', box: rose },
      { kind: DisagreementKind.NotFound, tagged: 'Quinn' },
    ]);
  });

  it('an unnamed region over a face we named is untagged; PersonInImage alone counts as tagged', () => {
    expect(tagDisagreements([{ name: null, box: mia }], [], faces)).toEqual([
      { kind: DisagreementKind.NotTagged, found: 'Mia', box: mia },
      { kind: DisagreementKind.NotTagged, found: 'Rose', box: rose },
    ]);
    expect(tagDisagreements([{ name: null, box: mia }], ['Mia', 'Rose'], faces)).toEqual([]);
  });
});
