import { describe, expect, it } from 'vitest';
import { type LabelLike, labelPrecedence } from '../../core/decide/labelPrecedence.js';
import { LabelKind } from '../../core/library/LabelKind.js';

const at = (minute: number): string => new Date(Date.UTC(2026, 11, 2, 10, minute)).toISOString();
const label = (person: string, kind: LabelKind, minute: number): LabelLike => ({
  person,
  kind,
  createdAt: at(minute),
});

describe('Function: labelPrecedence', () => {
  it('has no decision for a face nobody labelled, or labelled only automatically', () => {
    expect(labelPrecedence([])).toEqual({ rejected: new Set() });
    expect(labelPrecedence([label('ann', LabelKind.Auto, 1), label('bob', LabelKind.Auto, 2)])).toEqual({
      rejected: new Set(),
    });
  });

  it('takes a confirmed, enrolled or imported face as that person', () => {
    for (const kind of [LabelKind.Confirmed, LabelKind.Enrolled, LabelKind.Imported])
      expect(labelPrecedence([label('ann', kind, 1)])).toEqual({ confirmed: 'ann', rejected: new Set() });
  });

  it('lets a human decision beat a later automatic one', () => {
    expect(labelPrecedence([label('ann', LabelKind.Rejected, 1), label('ann', LabelKind.Auto, 5)])).toEqual({
      rejected: new Set(['ann']),
    });
    expect(labelPrecedence([label('ann', LabelKind.Confirmed, 1), label('bob', LabelKind.Auto, 5)])).toEqual({
      confirmed: 'ann',
      rejected: new Set(),
    });
  });

  it('lets the later of two human decisions about one person win', () => {
    // "Not her" after "her" means not her.
    expect(
      labelPrecedence([label('ann', LabelKind.Confirmed, 1), label('ann', LabelKind.Rejected, 2)]),
    ).toEqual({ rejected: new Set(['ann']) });
    // "Her" after "not her" means her, and she is no longer rejected.
    expect(
      labelPrecedence([label('ann', LabelKind.Rejected, 1), label('ann', LabelKind.Confirmed, 2)]),
    ).toEqual({ confirmed: 'ann', rejected: new Set() });
  });

  it('moves a face named for someone else to the newer name, in whatever order the labels come', () => {
    const labels = [label('bob', LabelKind.Confirmed, 9), label('ann', LabelKind.Enrolled, 1)];
    expect(labelPrecedence(labels)).toEqual({ confirmed: 'bob', rejected: new Set() });
    expect(labelPrecedence([...labels].reverse())).toEqual({ confirmed: 'bob', rejected: new Set() });
  });

  it('keeps every rejection alongside a confirmation of someone else', () => {
    const d = labelPrecedence([
      label('ann', LabelKind.Rejected, 1),
      label('cid', LabelKind.Rejected, 3),
      label('bob', LabelKind.Confirmed, 2),
    ]);
    expect(d.confirmed).toBe('bob');
    expect([...d.rejected].sort()).toEqual(['ann', 'cid']);
  });

  it('does not change the labels it is given', () => {
    const labels = [label('ann', LabelKind.Confirmed, 1), label('bob', LabelKind.Confirmed, 2)];
    const copy = labels.map((l) => ({ ...l }));
    labelPrecedence(labels);
    expect(labels).toEqual(copy);
  });
});
