import type { CopyResult, FaceResult, PersonSummary, RunSummary } from '../../core/report/resultLine.js';

/** Rows kept per file list (no match, no face, error, skipped); the rest are in results.jsonl. */
export const LIST_ROW_CAP = 2000;

/** One photo with a card on the sheet; a photo in several sections is one object, one thumbnail. */
export interface SheetPhoto {
  /** Photo path relative to the input root (untrusted text: always escaped). */
  path: string;
  /** Thumbnail path relative to the run folder, e.g. `thumbs/3.jpg`; absent when none was stored. */
  thumb?: string;
  /** Thumbnail size in pixels; sets the card's aspect ratio so the face boxes line up. */
  thumbWidth?: number;
  thumbHeight?: number;
  /** Original image size in pixels: the space the face boxes are in. Without it no boxes are drawn. */
  width?: number;
  height?: number;
  faces: FaceResult[];
  copies?: CopyResult[];
}

export interface SheetNearMiss {
  photo: SheetPhoto;
  /** The best score of the faces that nearly were the person. */
  score: number;
  /** Indexes into `photo.faces` of those faces. */
  faces: number[];
}

/** One person searched: their matches (every one) and their closest near misses. */
export interface SheetSection {
  person: PersonSummary;
  /** In display order (the report sorts them by path). */
  matches: SheetPhoto[];
  /** Best first; at most the report's cap. */
  nearMisses: SheetNearMiss[];
  /** Near misses seen in the run, kept or not. */
  nearMissesSeen: number;
}

/** One file of a list. Only the fields of its status are set. */
export interface SheetRow {
  path: string;
  code?: string;
  reason?: string;
  /** Faces found (no match). */
  faces?: number;
  /** Known people in the photo who were not searched for (no match). */
  known?: string[];
  /** The closest anyone came: an unknown face's best person and score (no match). */
  nearest?: { person: string; score: number };
}

/** The first rows of a list; `total` is how many files had that status. */
export interface SheetList {
  rows: SheetRow[];
  total: number;
}

export interface SheetLists {
  noMatch: SheetList;
  noFace: SheetList;
  error: SheetList;
  skipped: SheetList;
}

/** Everything report.html shows. */
export interface ContactSheet {
  summary: RunSummary;
  sections: SheetSection[];
  lists: SheetLists;
  /** How far under a threshold a face still counts as a near miss. */
  nearMissMargin: number;
}
