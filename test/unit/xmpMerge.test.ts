import { describe, expect, it } from 'vitest';
import {
  emptyFaceTagState,
  type FaceTagState,
  faceTagValues,
  parseFaceTagState,
} from '../../core/xmp/faceTagState.js';
import { type MergeOptions, personKeywords, planFaceTags } from '../../core/xmp/mergeFaceTags.js';

const options: MergeOptions = {
  unknownRegions: false,
  keywordRoot: 'People',
  iouThreshold: 0.5,
  storedWidth: 4000,
  storedHeight: 3000,
};

const alice = { name: 'Alice', rect: { left: 0.1, top: 0.1, width: 0.2, height: 0.2 } };
const bob = { name: 'Bob', rect: { left: 0.6, top: 0.5, width: 0.1, height: 0.15 } };

/** A sidecar as exiftool would read it: a named foreign region, a pet, keywords. */
const foreign = (): FaceTagState =>
  parseFaceTagState({
    'XMP-mwg-rs:RegionInfo': {
      AppliedToDimensions: { W: '4000', H: '3000', Unit: 'pixel' },
      RegionList: [
        {
          Area: { X: '0.65', Y: '0.575', W: '0.1', H: '0.15', Unit: 'normalized' },
          Name: 'Robert',
          Type: 'Face',
          Description: 'drawn in digiKam',
        },
        { Area: { X: '0.2', Y: '0.2', W: '0.2', H: '0.2', Unit: 'normalized' }, Name: 'Rex', Type: 'Pet' },
      ],
    },
    'XMP-dc:Subject': ['Holiday', 'Robert'],
    'XMP-lr:HierarchicalSubject': 'Places|Beach',
  });

describe('planFaceTags', () => {
  it('writes whole structs and keyword lists into an empty packet', () => {
    const plan = planFaceTags(emptyFaceTagState(), [alice], options);
    expect(plan.faces).toEqual([{ name: 'Alice', outcome: 'added' }]);
    expect(plan.writes['XMP-mwg-rs:RegionInfo']).toEqual({
      AppliedToDimensions: { W: '4000', H: '3000', Unit: 'pixel' },
      RegionList: [
        { Area: { X: '0.2', Y: '0.2', W: '0.2', H: '0.2', Unit: 'normalized' }, Name: 'Alice', Type: 'Face' },
      ],
    });
    expect(plan.writes['XMP-MP:RegionInfoMP']).toEqual({
      Regions: [{ PersonDisplayName: 'Alice', Rectangle: '0.1, 0.1, 0.2, 0.2' }],
    });
    expect(plan.writes['XMP-iptcExt:PersonInImage+']).toEqual(['Alice']);
    expect(plan.writes['XMP-lr:HierarchicalSubject+']).toEqual(['People|Alice']);
    expect(plan.writes['XMP-digiKam:TagsList+']).toEqual(['People/Alice']);
    expect(plan.writes['XMP-dc:Subject+']).toEqual(['Alice']);
  });

  it('keeps foreign regions and keywords and only appends', () => {
    const existing = foreign();
    const plan = planFaceTags(existing, [alice], options);
    // Rex the pet overlaps Alice exactly but is not a face: Alice gets her own region.
    expect(plan.faces).toEqual([{ name: 'Alice', outcome: 'added' }]);
    expect(plan.writes['XMP-mwg-rs:RegionInfo']).toBeUndefined();
    expect(plan.writes['XMP-mwg-rs:RegionList+']).toEqual([
      { Area: { X: '0.2', Y: '0.2', W: '0.2', H: '0.2', Unit: 'normalized' }, Name: 'Alice', Type: 'Face' },
    ]);
    const merged = faceTagValues(plan.merged) as Record<string, { RegionList?: unknown[] } & unknown>;
    expect(merged['XMP-mwg-rs:RegionInfo']!.RegionList).toHaveLength(3);
    expect(merged['XMP-dc:Subject']).toEqual(['Holiday', 'Robert', 'Alice']);
    expect(merged['XMP-lr:HierarchicalSubject']).toEqual(['Places|Beach', 'People|Alice']);
  });

  it('never renames an existing region: another name on the same face is a conflict', () => {
    const plan = planFaceTags(foreign(), [bob], options);
    expect(plan.faces).toEqual([{ name: 'Bob', outcome: 'conflict', existingName: 'Robert' }]);
    expect(plan.writes).toEqual({});
  });

  it('is idempotent: planning on top of its own result changes nothing', () => {
    const first = planFaceTags(foreign(), [alice], options);
    const again = planFaceTags(first.merged, [alice], options);
    expect(again.writes).toEqual({});
    expect(again.faces).toEqual([{ name: 'Alice', outcome: 'present' }]);
  });

  it('matches a slightly different box of the same face (IoU ≥ 0.5), not a neighbour', () => {
    const first = planFaceTags(emptyFaceTagState(), [alice], options);
    const shifted = { name: 'Alice', rect: { left: 0.12, top: 0.11, width: 0.2, height: 0.2 } };
    expect(planFaceTags(first.merged, [shifted], options).writes).toEqual({});
    const neighbour = { name: 'Alice', rect: { left: 0.25, top: 0.1, width: 0.2, height: 0.2 } };
    expect(planFaceTags(first.merged, [neighbour], options).faces[0]!.outcome).toBe('added');
  });

  it('writes no region for an unknown face unless asked, and names it later without duplicating', () => {
    const unknown = { name: null, rect: alice.rect };
    expect(planFaceTags(emptyFaceTagState(), [unknown], options)).toMatchObject({
      writes: {},
      faces: [{ name: null, outcome: 'skipped' }],
    });
    const withUnknown = planFaceTags(emptyFaceTagState(), [unknown], { ...options, unknownRegions: true });
    expect(withUnknown.faces[0]!.outcome).toBe('added');
    expect(withUnknown.writes['XMP-iptcExt:PersonInImage+']).toBeUndefined();
    const named = planFaceTags(withUnknown.merged, [alice], options);
    expect(named.faces).toEqual([{ name: 'Alice', outcome: 'named' }]);
    // Naming rewrites the (fully rewritable) lists in place: still one region each.
    const info = named.writes['XMP-mwg-rs:RegionInfo'] as { RegionList: { Name?: string }[] };
    expect(info.RegionList).toHaveLength(1);
    expect(info.RegionList[0]!.Name).toBe('Alice');
    const mp = named.writes['XMP-MP:RegionInfoMP'] as { Regions: { PersonDisplayName?: string }[] };
    expect(mp.Regions).toEqual([{ Rectangle: '0.1, 0.1, 0.2, 0.2', PersonDisplayName: 'Alice' }]);
  });

  it('does not rewrite a region list that holds fields exiftool would drop', () => {
    const state = parseFaceTagState({
      'XMP-mwg-rs:RegionInfo': {
        RegionList: [
          {
            Area: { X: '0.2', Y: '0.2', W: '0.2', H: '0.2', Unit: 'normalized' },
            Type: 'Face',
            Extensions: { 'XMP-apple-fi:FaceID': '7' },
          },
        ],
      },
    });
    const plan = planFaceTags(state, [alice], options);
    expect(plan.faces).toEqual([{ name: 'Alice', outcome: 'not_rewritable' }]);
    expect(plan.writes['XMP-mwg-rs:RegionInfo']).toBeUndefined();
    expect(plan.writes['XMP-mwg-rs:RegionList+']).toBeUndefined();
    expect(plan.warnings.map((w) => w.code)).toContain('region_not_rewritable');
    // Existing region list without AppliedToDimensions: flattened dims, appended regions.
    const plan2 = planFaceTags(state, [bob], options);
    expect(plan2.writes['XMP-mwg-rs:RegionAppliedToDimensionsW']).toBe('4000');
    expect(plan2.writes['XMP-mwg-rs:RegionList+']).toHaveLength(1);
  });

  it('matches faces one to one, the best overlap first', () => {
    const a2 = { name: 'Carol', rect: { left: 0.11, top: 0.1, width: 0.2, height: 0.2 } };
    const plan = planFaceTags(emptyFaceTagState(), [alice, a2], options);
    // Both new: two regions even though they overlap each other.
    expect(plan.writes['XMP-mwg-rs:RegionInfo']).toMatchObject({ RegionList: [{}, {}] });
    const again = planFaceTags(plan.merged, [a2, alice], options);
    expect(again.writes).toEqual({});
  });

  it('warns when existing regions were drawn on an image of another shape', () => {
    const state = foreign();
    const plan = planFaceTags(state, [alice], { ...options, storedWidth: 3000, storedHeight: 4000 });
    expect(plan.warnings.map((w) => w.code)).toContain('applied_dims_mismatch');
  });
});

describe('personKeywords', () => {
  it('builds Lightroom and digiKam paths under the root', () => {
    expect(personKeywords('Alice', 'People')).toEqual({
      subject: 'Alice',
      hierarchical: 'People|Alice',
      tagsList: 'People/Alice',
    });
    expect(personKeywords('Alice', 'People|Family')).toEqual({
      subject: 'Alice',
      hierarchical: 'People|Family|Alice',
      tagsList: 'People/Family/Alice',
    });
    expect(personKeywords('Alice', '')).toEqual({
      subject: 'Alice',
      hierarchical: 'Alice',
      tagsList: 'Alice',
    });
  });

  it('gives a name holding a separator no hierarchical keyword', () => {
    expect(personKeywords('AC/DC', 'People')).toEqual({
      subject: 'AC/DC',
      hierarchical: null,
      tagsList: null,
    });
  });
});

describe('parseFaceTagState', () => {
  it('reads single values as lists, trims names, ignores non-string list items', () => {
    const s = parseFaceTagState({
      'XMP-iptcExt:PersonInImage': 'Alice',
      'XMP-dc:Subject': ['a', { nested: 1 }],
      'XMP-MP:RegionInfoMP': { Regions: { PersonDisplayName: '  Bob ', Rectangle: 'bad' } },
    });
    expect(s.personInImage).toEqual(['Alice']);
    expect(s.subject).toEqual(['a']);
    expect(s.mp).toEqual([
      { raw: { PersonDisplayName: '  Bob ', Rectangle: 'bad' }, name: 'Bob', rect: null, type: null },
    ]);
  });
});
