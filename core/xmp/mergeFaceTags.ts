/**
 * Pure merge of mespotter's faces into the face tags a photo already has. Nothing existing is
 * removed or renamed: new regions and keywords are appended (exiftool's `+=`, which leaves every
 * existing item byte for byte), and the only edit of an existing region is naming one that has no
 * name. That edit rewrites the whole region list, so it is done only when every region in the list
 * holds fields exiftool can write back; otherwise the face is reported instead.
 */
import { iou } from '../detect/boxMath.js';
import {
  FaceTagKey,
  type FaceTagState,
  isFaceRegion,
  type Struct,
  type TaggedRegion,
} from './faceTagState.js';
import { type NormRect, rectAsBox } from './orientationTransform.js';
import { formatMpRectangle, rectToMwgArea } from './regionFormats.js';

/** One face to write, already in the stored frame. */
export interface PlannedFace {
  name: string | null;
  rect: NormRect;
}

export const FaceOutcome = {
  /** A new region was written. */
  Added: 'added',
  /** An existing unnamed region for this face got the name. */
  Named: 'named',
  /** A region with this name already covers the face. */
  Present: 'present',
  /** A region with another name covers the face; it is left as it is. */
  Conflict: 'conflict',
  /** An unknown face: no region (unknownRegions off, or a region already covers it). */
  Skipped: 'skipped',
  /** The face's unnamed region could not be named without losing fields exiftool cannot rewrite. */
  NotRewritable: 'not_rewritable',
} as const;
export type FaceOutcome = (typeof FaceOutcome)[keyof typeof FaceOutcome];

export interface FaceResult {
  name: string | null;
  outcome: FaceOutcome;
  /** The other name, for a conflict. */
  existingName?: string;
}

export interface TagWarning {
  code: string;
  message: string;
}

export interface MergeOptions {
  /** Write unnamed regions for unknown faces. */
  unknownRegions: boolean;
  /** Keyword hierarchy root, '|'-separated levels ('People'); '' writes flat names. */
  keywordRoot: string;
  /** Overlap at which an existing region is the same face. */
  iouThreshold: number;
  /** Stored pixel size, for AppliedToDimensions. */
  storedWidth: number;
  storedHeight: number;
}

export interface FaceTagPlan {
  /** The state the file should hold afterwards (what a read-back must find). */
  merged: FaceTagState;
  /** exiftool write tags; empty when nothing changes. */
  writes: Record<string, unknown>;
  faces: FaceResult[];
  warnings: TagWarning[];
}

export const DEFAULT_IOU_THRESHOLD = 0.5;

// Fields exiftool's MWG / Microsoft structs define; anything else (unknown namespaces inside a
// region, mwg-rs:Extensions) would be dropped if the list were rewritten.
const MWG_REGION_FIELDS = new Set([
  'Area',
  'Type',
  'Name',
  'Description',
  'FocusUsage',
  'BarCodeValue',
  'Rotation',
  'SeeAlso',
]);
const AREA_FIELDS = new Set(['X', 'Y', 'W', 'H', 'D', 'Unit']);
const DIM_FIELDS = new Set(['W', 'H', 'Unit']);
const MP_REGION_FIELDS = new Set([
  'Rectangle',
  'PersonDisplayName',
  'PersonEmailDigest',
  'PersonLiveIdCID',
  'PersonSourceID',
]);

const plainString = (v: unknown): boolean => typeof v === 'string' && v === v.trim() && v !== '';

const onlyFields = (s: unknown, allowed: Set<string>, nested: Record<string, Set<string>> = {}): boolean => {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return false;
  return Object.entries(s as Struct).every(([k, v]) => {
    if (!allowed.has(k)) return false;
    const inner = nested[k];
    // exiftool trims struct values on write, so a value with outer spaces would change.
    return inner ? onlyFields(v, inner) : plainString(v);
  });
};

const mwgListRewritable = (state: FaceTagState): boolean =>
  onlyFields(state.mwgInfo ?? {}, new Set(['AppliedToDimensions']), { AppliedToDimensions: DIM_FIELDS }) &&
  state.mwg.every((r) => onlyFields(r.raw, MWG_REGION_FIELDS, { Area: AREA_FIELDS }));

const mpListRewritable = (state: FaceTagState): boolean =>
  onlyFields(state.mpInfo ?? {}, new Set(['DateRegionsValid'])) &&
  state.mp.every((r) => onlyFields(r.raw, MP_REGION_FIELDS));

/** One-to-one matching, highest overlap first: face index → region index. */
export const matchRegions = (
  faces: readonly PlannedFace[],
  regions: readonly TaggedRegion[],
  eligible: (r: TaggedRegion) => boolean,
  threshold: number,
): Map<number, number> => {
  const pairs: { f: number; r: number; overlap: number }[] = [];
  faces.forEach((face, f) => {
    regions.forEach((region, r) => {
      if (!region.rect || !eligible(region)) return;
      const overlap = iou(rectAsBox(face.rect), rectAsBox(region.rect));
      if (overlap >= threshold) pairs.push({ f, r, overlap });
    });
  });
  pairs.sort((a, b) => b.overlap - a.overlap || a.f - b.f || a.r - b.r);
  const byFace = new Map<number, number>();
  const taken = new Set<number>();
  for (const p of pairs) {
    if (byFace.has(p.f) || taken.has(p.r)) continue;
    byFace.set(p.f, p.r);
    taken.add(p.r);
  }
  return byFace;
};

/** The keywords one person gets: flat name, Lightroom path and digiKam path. */
export const personKeywords = (
  name: string,
  keywordRoot: string,
): { subject: string; hierarchical: string | null; tagsList: string | null } => {
  // A separator inside the name would split it into levels in Lightroom or digiKam.
  if (name.includes('|') || name.includes('/')) return { subject: name, hierarchical: null, tagsList: null };
  const levels = keywordRoot === '' ? [name] : [...keywordRoot.split('|'), name];
  return { subject: name, hierarchical: levels.join('|'), tagsList: levels.join('/') };
};

const newMwgRegion = (face: PlannedFace): Struct => ({
  Area: rectToMwgArea(face.rect),
  ...(face.name === null ? {} : { Name: face.name }),
  Type: 'Face',
});

const newMpRegion = (face: PlannedFace): Struct => ({
  ...(face.name === null ? {} : { PersonDisplayName: face.name }),
  Rectangle: formatMpRectangle(face.rect),
});

const tagged = (raw: Struct, face: PlannedFace, type: string | null): TaggedRegion => ({
  raw,
  name: face.name,
  rect: face.rect,
  type,
});

export const planFaceTags = (
  existing: FaceTagState,
  faces: readonly PlannedFace[],
  options: MergeOptions,
): FaceTagPlan => {
  const warnings: TagWarning[] = [];
  const mwgMatch = matchRegions(faces, existing.mwg, isFaceRegion, options.iouThreshold);
  const mpMatch = matchRegions(faces, existing.mp, () => true, options.iouThreshold);
  const mwgCanRewrite = mwgListRewritable(existing);
  const mpCanRewrite = mpListRewritable(existing);

  const mwg = existing.mwg.map((r) => ({ ...r }));
  const mp = existing.mp.map((r) => ({ ...r }));
  const mwgAppend: TaggedRegion[] = [];
  const mpAppend: TaggedRegion[] = [];
  let mwgRewrite = false;
  let mpRewrite = false;
  const named: string[] = [];
  const results: FaceResult[] = [];

  faces.forEach((face, i) => {
    const mi = mwgMatch.get(i);
    const pi = mpMatch.get(i);
    const mRegion = mi === undefined ? undefined : mwg[mi];
    const pRegion = pi === undefined ? undefined : mp[pi];
    if (face.name === null) {
      if (mRegion || pRegion || !options.unknownRegions) {
        results.push({ name: null, outcome: FaceOutcome.Skipped });
        return;
      }
      mwgAppend.push(tagged(newMwgRegion(face), face, 'Face'));
      mpAppend.push(tagged(newMpRegion(face), face, null));
      results.push({ name: null, outcome: FaceOutcome.Added });
      return;
    }
    const other = [mRegion?.name, pRegion?.name].find((n) => n != null && n !== face.name);
    if (other != null) {
      results.push({ name: face.name, outcome: FaceOutcome.Conflict, existingName: other });
      return;
    }
    let outcome: FaceOutcome = mRegion ? FaceOutcome.Present : FaceOutcome.Added;
    if (!mRegion) {
      mwgAppend.push(tagged(newMwgRegion(face), face, 'Face'));
    } else if (mRegion.name === null) {
      if (mwgCanRewrite) {
        mwg[mi!] = { ...mRegion, raw: { ...mRegion.raw, Name: face.name }, name: face.name };
        mwgRewrite = true;
        outcome = FaceOutcome.Named;
      } else {
        outcome = FaceOutcome.NotRewritable;
        warnings.push({
          code: 'region_not_rewritable',
          message: `an unnamed MWG region covers ${face.name}'s face, but the region list holds fields exiftool cannot rewrite; left unnamed`,
        });
      }
    }
    if (!pRegion) {
      mpAppend.push(tagged(newMpRegion(face), face, null));
    } else if (pRegion.name === null) {
      if (mpCanRewrite) {
        mp[pi!] = { ...pRegion, raw: { ...pRegion.raw, PersonDisplayName: face.name }, name: face.name };
        mpRewrite = true;
        if (outcome === FaceOutcome.Present) outcome = FaceOutcome.Named;
      } else {
        warnings.push({
          code: 'region_not_rewritable',
          message: `an unnamed Microsoft region covers ${face.name}'s face, but the region list holds fields exiftool cannot rewrite; left unnamed`,
        });
      }
    }
    results.push({ name: face.name, outcome });
    named.push(face.name);
  });

  const merged: FaceTagState = {
    mwgInfo: existing.mwgInfo,
    mwg: [...mwg, ...mwgAppend],
    mpInfo: existing.mpInfo,
    mp: [...mp, ...mpAppend],
    personInImage: [...existing.personInImage],
    hierarchicalSubject: [...existing.hierarchicalSubject],
    tagsList: [...existing.tagsList],
    subject: [...existing.subject],
  };
  const writes: Record<string, unknown> = {};

  const dims = { W: String(options.storedWidth), H: String(options.storedHeight), Unit: 'pixel' };
  if (mwgAppend.length > 0 || mwgRewrite) {
    if (!existing.mwgInfo && existing.mwg.length === 0) {
      merged.mwgInfo = { AppliedToDimensions: dims };
      writes[FaceTagKey.MwgRegions] = { AppliedToDimensions: dims, RegionList: merged.mwg.map((r) => r.raw) };
    } else {
      const hasDims = typeof existing.mwgInfo?.['AppliedToDimensions'] === 'object';
      if (!hasDims) {
        merged.mwgInfo = { ...(existing.mwgInfo ?? {}), AppliedToDimensions: dims };
      } else {
        warnIfOtherShape(existing.mwgInfo?.['AppliedToDimensions'], options, warnings);
      }
      if (mwgRewrite) {
        writes[FaceTagKey.MwgRegions] = { ...merged.mwgInfo, RegionList: merged.mwg.map((r) => r.raw) };
      } else {
        if (!hasDims) {
          writes['XMP-mwg-rs:RegionAppliedToDimensionsW'] = dims.W;
          writes['XMP-mwg-rs:RegionAppliedToDimensionsH'] = dims.H;
          writes['XMP-mwg-rs:RegionAppliedToDimensionsUnit'] = dims.Unit;
        }
        writes['XMP-mwg-rs:RegionList+'] = mwgAppend.map((r) => r.raw);
      }
    }
  }
  if (mpAppend.length > 0 || mpRewrite) {
    if (mpRewrite || (!existing.mpInfo && existing.mp.length === 0)) {
      writes[FaceTagKey.MpRegions] = { ...(merged.mpInfo ?? {}), Regions: merged.mp.map((r) => r.raw) };
    } else {
      writes['XMP-MP:RegionInfoRegions+'] = mpAppend.map((r) => r.raw);
    }
  }

  const appendMissing = (key: FaceTagKey, list: string[], values: (string | null)[]): void => {
    const added: string[] = [];
    for (const v of values) {
      if (v === null || list.includes(v)) continue;
      list.push(v);
      added.push(v);
    }
    if (added.length > 0) writes[`${key}+`] = added;
  };
  const keywords = named.map((n) => personKeywords(n, options.keywordRoot));
  if (keywords.some((k) => k.hierarchical === null)) {
    warnings.push({
      code: 'name_not_a_keyword',
      message: `a name holding '|' or '/' gets no hierarchical keyword (it would split into levels): ${named
        .filter((n) => n.includes('|') || n.includes('/'))
        .join(', ')}`,
    });
  }
  appendMissing(FaceTagKey.PersonInImage, merged.personInImage, named);
  appendMissing(
    FaceTagKey.HierarchicalSubject,
    merged.hierarchicalSubject,
    keywords.map((k) => k.hierarchical),
  );
  appendMissing(
    FaceTagKey.TagsList,
    merged.tagsList,
    keywords.map((k) => k.tagsList),
  );
  appendMissing(
    FaceTagKey.Subject,
    merged.subject,
    keywords.map((k) => k.subject),
  );
  return { merged, writes, faces: results, warnings };
};

const warnIfOtherShape = (dims: unknown, options: MergeOptions, warnings: TagWarning[]): void => {
  const d = dims as Record<string, unknown>;
  const w = Number(d['W']);
  const h = Number(d['H']);
  if (!(w > 0 && h > 0)) return;
  const ratio = w / h / (options.storedWidth / options.storedHeight);
  if (Math.abs(ratio - 1) > 0.01) {
    warnings.push({
      code: 'applied_dims_mismatch',
      message: `existing regions were drawn on a ${w}x${h} image, the photo is ${options.storedWidth}x${options.storedHeight}; left as they are`,
    });
  }
};
