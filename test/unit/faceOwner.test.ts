import { describe, expect, it } from 'vitest';
import { labelPrecedence } from '../../core/decide/labelPrecedence.js';
import { faceOwner, type OwnedLabel, OwnerVia } from '../../core/library/faceOwner.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { LabelSource } from '../../core/library/LabelSource.js';

const at = (minute: number): string => new Date(Date.UTC(2026, 11, 2, 10, minute)).toISOString();
const label = (
  personId: number,
  kind: LabelKind,
  minute: number,
  o: { source?: string | null; score?: number } = {},
): OwnedLabel => ({
  personId,
  kind,
  source: o.source ?? null,
  score: o.score ?? null,
  createdAt: at(minute),
});
const cluster = (personId: number, minute: number): OwnedLabel =>
  label(personId, LabelKind.Auto, minute, { source: LabelSource.Cluster });
const sorted = (personId: number, minute: number, score: number): OwnedLabel =>
  label(personId, LabelKind.Auto, minute, { score });

describe('Function: faceOwner (label precedence with clusters)', () => {
  it('is nobody for a face without labels', () => {
    expect(faceOwner([])).toEqual({ personId: null, via: null, rejected: new Set() });
  });

  it('puts a human decision above cluster membership, and membership above a sort decision', () => {
    expect(faceOwner([sorted(3, 9, 0.6), cluster(2, 1)])).toMatchObject({
      personId: 2,
      via: OwnerVia.Cluster,
    });
    expect(faceOwner([cluster(2, 9), label(1, LabelKind.Confirmed, 1)])).toMatchObject({
      personId: 1,
      via: OwnerVia.Human,
    });
    expect(faceOwner([sorted(3, 1, 0.5), sorted(4, 1, 0.7)])).toMatchObject({
      personId: 4,
      via: OwnerVia.Sort,
    });
  });

  it('never gives a face to a person or cluster it was rejected for', () => {
    const o = faceOwner([cluster(2, 1), label(2, LabelKind.Rejected, 2), sorted(2, 3, 0.9)]);
    expect(o.personId).toBeNull();
    expect([...o.rejected]).toEqual([2]);
    // Rejected for the cluster, still a sort decision for someone else.
    expect(faceOwner([cluster(2, 1), label(2, LabelKind.Rejected, 2), sorted(5, 3, 0.5)]).personId).toBe(5);
  });

  it('lets a later human confirmation undo an earlier rejection (newest human decision wins)', () => {
    expect(faceOwner([label(2, LabelKind.Rejected, 1), label(2, LabelKind.Confirmed, 2)])).toMatchObject({
      personId: 2,
      via: OwnerVia.Human,
      rejected: new Set(),
    });
  });

  it('keeps cluster membership out of the matcher: labelPrecedence sees no decision in it', () => {
    const labels = [
      { person: 'person-0001', kind: LabelKind.Auto, createdAt: at(1) },
      { person: 'Alice', kind: LabelKind.Auto, createdAt: at(2) },
    ];
    expect(labelPrecedence(labels)).toEqual({ rejected: new Set() });
  });
});
