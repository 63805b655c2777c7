/**
 * The face-tag part of one XMP packet, as exiftool reads it with `-struct -G1 -n -api
 * StructFormat=JSONQ` (every value a string). Regions keep the struct exactly as read, so that a
 * region we do not change is written back (or left) untouched.
 */

import type { NormRect } from './orientationTransform.js';
import { mwgAreaToRect, parseMpRectangle } from './regionFormats.js';

/** The exiftool tag keys (group-qualified, as -G1 prints them) that mespotter reads and writes. */
export const FaceTagKey = {
  MwgRegions: 'XMP-mwg-rs:RegionInfo',
  MpRegions: 'XMP-MP:RegionInfoMP',
  PersonInImage: 'XMP-iptcExt:PersonInImage',
  HierarchicalSubject: 'XMP-lr:HierarchicalSubject',
  TagsList: 'XMP-digiKam:TagsList',
  Subject: 'XMP-dc:Subject',
} as const;
export type FaceTagKey = (typeof FaceTagKey)[keyof typeof FaceTagKey];

export const FACE_TAG_KEYS: readonly FaceTagKey[] = Object.values(FaceTagKey);

export type Struct = Record<string, unknown>;

export interface TaggedRegion {
  /** The struct as read (MWG RegionStruct or MP Region); written back unchanged unless updated. */
  raw: Struct;
  /** Trimmed name; null when absent or empty. */
  name: string | null;
  /** Normalised to the stored image; null when the region has no usable box. */
  rect: NormRect | null;
  /** MWG Type (Face, Pet, Focus, BarCode); null when absent. Always null for MP regions. */
  type: string | null;
}

export interface FaceTagState {
  /** The RegionInfo struct minus its list, as read (AppliedToDimensions and anything else). */
  mwgInfo: Struct | null;
  mwg: TaggedRegion[];
  mpInfo: Struct | null;
  mp: TaggedRegion[];
  personInImage: string[];
  hierarchicalSubject: string[];
  tagsList: string[];
  subject: string[];
}

export const emptyFaceTagState = (): FaceTagState => ({
  mwgInfo: null,
  mwg: [],
  mpInfo: null,
  mp: [],
  personInImage: [],
  hierarchicalSubject: [],
  tagsList: [],
  subject: [],
});

const isStruct = (v: unknown): v is Struct => typeof v === 'object' && v !== null && !Array.isArray(v);

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

const asName = (v: unknown): string | null => {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const s = String(v).trim();
  return s === '' ? null : s;
};

const stringList = (v: unknown): string[] =>
  asList(v).flatMap((x) => (typeof x === 'string' || typeof x === 'number' ? [String(x)] : []));

const structList = (v: unknown): Struct[] => asList(v).filter(isStruct);

/** Parses the face-tag keys of one exiftool read; other keys are ignored. */
export const parseFaceTagState = (tags: Record<string, unknown>): FaceTagState => {
  const mwgInfoRaw = tags[FaceTagKey.MwgRegions];
  const mpInfoRaw = tags[FaceTagKey.MpRegions];
  const mwgInfo = isStruct(mwgInfoRaw) ? mwgInfoRaw : null;
  const mpInfo = isStruct(mpInfoRaw) ? mpInfoRaw : null;
  const { RegionList: mwgList, ...mwgRest } = mwgInfo ?? {};
  const { Regions: mpList, ...mpRest } = mpInfo ?? {};
  return {
    mwgInfo: mwgInfo ? mwgRest : null,
    mwg: structList(mwgList).map((raw) => ({
      raw,
      name: asName(raw['Name']),
      rect: mwgAreaToRect(raw['Area']) ?? null,
      type: asName(raw['Type']),
    })),
    mpInfo: mpInfo ? mpRest : null,
    mp: structList(mpList).map((raw) => ({
      raw,
      name: asName(raw['PersonDisplayName']),
      rect: parseMpRectangle(raw['Rectangle']) ?? null,
      type: null,
    })),
    personInImage: stringList(tags[FaceTagKey.PersonInImage]),
    hierarchicalSubject: stringList(tags[FaceTagKey.HierarchicalSubject]),
    tagsList: stringList(tags[FaceTagKey.TagsList]),
    subject: stringList(tags[FaceTagKey.Subject]),
  };
};

/** MWG regions that may hold a face: Type Face, or no type at all (some writers omit it). */
export const isFaceRegion = (r: TaggedRegion): boolean => r.type === null || r.type === 'Face';

/** The full struct/list value of each face-tag key for a state; absent keys are omitted. */
export const faceTagValues = (state: FaceTagState): Partial<Record<FaceTagKey, unknown>> => {
  const out: Partial<Record<FaceTagKey, unknown>> = {};
  if (state.mwgInfo || state.mwg.length > 0) {
    out[FaceTagKey.MwgRegions] = { ...(state.mwgInfo ?? {}), RegionList: state.mwg.map((r) => r.raw) };
  }
  if (state.mpInfo || state.mp.length > 0) {
    out[FaceTagKey.MpRegions] = { ...(state.mpInfo ?? {}), Regions: state.mp.map((r) => r.raw) };
  }
  if (state.personInImage.length > 0) out[FaceTagKey.PersonInImage] = state.personInImage;
  if (state.hierarchicalSubject.length > 0) out[FaceTagKey.HierarchicalSubject] = state.hierarchicalSubject;
  if (state.tagsList.length > 0) out[FaceTagKey.TagsList] = state.tagsList;
  if (state.subject.length > 0) out[FaceTagKey.Subject] = state.subject;
  return out;
};

/** Deterministic JSON (keys sorted at every level) for comparing what exiftool read back. */
export const canonicalJson = (v: unknown): string => JSON.stringify(sortKeys(v));

const sortKeys = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isStruct(v)) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k])]),
    );
  }
  return v;
};
