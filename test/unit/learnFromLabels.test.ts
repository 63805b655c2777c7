import { describe, expect, it } from 'vitest';
import {
  agreeingPositives,
  DEFAULT_LEARN_OPTIONS,
  fitThresholdToLabels,
  learnPeople,
  learnTemplate,
  TemplateMethod,
} from '../../core/decide/learnFromLabels.js';
import { dot } from '../../core/match/similarity.js';
import { seededRng } from '../../core/util/seededRng.js';

const DIM = 64;
const rng = seededRng(12);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
const unit = (v: Float32Array): Float32Array => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const randomUnit = (): Float32Array => unit(Float32Array.from({ length: DIM }, gauss));
/** A face of identity `centre`: mostly the centre plus noise (cosine to the centre ~ `closeness`). */
const around = (centre: Float32Array, closeness: number): Float32Array => {
  const noise = randomUnit();
  return unit(centre.map((c, i) => closeness * c + Math.sqrt(1 - closeness ** 2) * noise[i]!));
};

describe('learning step: learnFromLabels', () => {
  const alice = randomUnit();
  const lookalike = unit(alice.map((a, i) => 0.6 * a + 0.8 * randomUnit()[i]!));

  it('drops a positive that disagrees with the rest (one wrong confirmation must not drag the template)', () => {
    const good = [0, 1, 2, 3].map(() => ({ embedding: around(alice, 0.8) }));
    const wrong = { embedding: randomUnit() };
    expect(agreeingPositives([...good, wrong])).toEqual(good);
    // With two there is no majority: both stay.
    expect(agreeingPositives([good[0]!, wrong])).toHaveLength(2);
  });

  it('weights positives by quality', () => {
    const a = { embedding: around(alice, 0.9), quality: 1 };
    const b = { embedding: around(alice, 0.9), quality: 0.1 };
    const c = { embedding: around(alice, 0.9), quality: 0.1 };
    const t = learnTemplate({ name: 'a', positives: [a, b, c], negatives: [] }, [], {
      ...DEFAULT_LEARN_OPTIONS,
      template: TemplateMethod.Mean,
    });
    expect(dot(t.centroid, a.embedding)).toBeGreaterThan(dot(t.centroid, b.embedding));
  });

  it('Rocchio and the linear model move the template away from rejected faces, keeping the positives', () => {
    const positives = [0, 1, 2, 3, 4].map(() => ({ embedding: around(alice, 0.8) }));
    const negatives = [0, 1, 2].map(() => ({ embedding: around(lookalike, 0.85) }));
    const unseenLookalike = around(lookalike, 0.85);
    const unseenAlice = around(alice, 0.8);
    const mean = learnTemplate({ name: 'a', positives, negatives }, [], {
      ...DEFAULT_LEARN_OPTIONS,
      template: TemplateMethod.Mean,
    });
    for (const template of [TemplateMethod.Rocchio, TemplateMethod.Linear]) {
      const others = [0, 1, 2].map(() => ({ embedding: randomUnit() }));
      const t = learnTemplate({ name: 'a', positives, negatives }, others, {
        ...DEFAULT_LEARN_OPTIONS,
        template,
      });
      // The gap between Alice and her look-alike widens on faces neither model saw.
      const gap = (c: Float32Array) => dot(c, unseenAlice) - dot(c, unseenLookalike);
      expect(gap(t.centroid)).toBeGreaterThan(gap(mean.centroid));
      expect(dot(t.centroid, unseenAlice)).toBeGreaterThan(0.5);
      expect(Math.hypot(...t.centroid)).toBeCloseTo(1, 5);
    }
  });

  it('fits a threshold to the labels: raised past the rejected faces when that costs fewer positives', () => {
    // Two rejected at 0.44 and 0.47, one confirmed at 0.52: just above 0.47 fits all three.
    expect(fitThresholdToLabels(0.4, [0.52], [0.44, 0.47], 0.1)).toBeCloseTo(0.4701, 4);
    // A confirmed face at 0.45 between them: just above 0.44 (one error left) ties with just above
    // 0.47 (the confirmed face lost), and ties keep the lower.
    expect(fitThresholdToLabels(0.4, [0.45], [0.44, 0.47], 0.1)).toBeCloseTo(0.4401, 4);
    // One rejection above two confirmations: staying put is the fewer errors.
    expect(fitThresholdToLabels(0.4, [0.42, 0.43], [0.45], 0.1)).toBe(0.4);
    // Never lowered, never more than maxRaise above.
    expect(fitThresholdToLabels(0.4, [0.3], [], 0.1)).toBe(0.4);
    expect(fitThresholdToLabels(0.4, [], [0.6], 0.1)).toBe(0.4);
  });

  it('keeps every rejected face as a negative of its person', () => {
    const [m] = learnPeople([
      { name: 'a', positives: [{ embedding: alice }], negatives: [{ embedding: lookalike }] },
    ]);
    expect(m!.negatives).toEqual([lookalike]);
    expect(m!.threshold).toBe(0);
  });
});
