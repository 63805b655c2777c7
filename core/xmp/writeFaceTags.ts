/**
 * Writes people into XMP: MWG regions, Microsoft People Tagging regions, IPTC PersonInImage and
 * keywords (see docs/tags.md). Default: a sidecar next to the photo, which is never modified.
 * `in-place` edits the photo's embedded XMP for formats exiftool rewrites without touching image
 * data, proven by exiftool's image-data MD5 before and after, with a byte-exact backup.
 * Every write goes to a temp file in the same folder, is read back and checked (our tags as
 * planned, every other XMP tag as it was) and only then renamed into place.
 */
import { constants, type Stats } from 'node:fs';
import { copyFile, realpath } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { XmpError, XmpErrorCode } from '../errors.js';
import type { Box } from '../types.js';
import type { ExifToolSession } from './ExifToolSession.js';
import {
  canonicalJson,
  emptyFaceTagState,
  FACE_TAG_KEYS,
  type FaceTagState,
  faceTagValues,
  parseFaceTagState,
} from './faceTagState.js';
import {
  DEFAULT_IOU_THRESHOLD,
  type FaceResult,
  type PlannedFace,
  planFaceTags,
  type TagWarning,
} from './mergeFaceTags.js';
import { type ExifOrientation, uprightBoxToStoredRect, uprightSize } from './orientationTransform.js';
import { type PhotoInfo, readPhotoInfo, readSidecarXmp } from './readXmpFiles.js';
import {
  assertWritableFile,
  assertWritableFolder,
  commitTemp,
  copyOwnership,
  keepBackup,
  removeQuietly,
  statOrNull,
  tempSibling,
} from './safeReplace.js';
import { SidecarName, sidecarPathFor, stemSiblings } from './sidecarPath.js';

/** One face to tag: the engine's box in upright pixels of an image of the given upright size. */
export interface TagFace {
  /** Person's name; null for an unknown face (a region only with unknownRegions). */
  name: string | null;
  box: Box;
  uprightWidth: number;
  uprightHeight: number;
}

export const TagMode = { Sidecar: 'sidecar', InPlace: 'in-place' } as const;
export type TagMode = (typeof TagMode)[keyof typeof TagMode];

export interface WriteFaceTagsOptions {
  /** 'sidecar' (default): photo.xmp next to the photo; 'in-place': the photo's embedded XMP. */
  mode?: TagMode;
  /** Sidecar naming (default 'photo.xmp'). */
  sidecarName?: SidecarName;
  /** Keyword hierarchy root (default 'People'): People|Alice, People/Alice; '' for flat names. */
  keywordRoot?: string;
  /** Write unnamed regions for unknown faces (default false). */
  unknownRegions?: boolean;
  /** In-place only: keep photo.jpg_original, byte-exact (default true). */
  backup?: boolean;
  /** Plan and report; write nothing. */
  dryRun?: boolean;
  /** Overlap at which an existing region is the same face (default 0.5). */
  iouThreshold?: number;
}

export const WriteStatus = {
  Written: 'written',
  /** Nothing to add: no file was written (re-runs are idempotent). */
  Unchanged: 'unchanged',
  /** Dry run: this is what would be written. */
  WouldWrite: 'would_write',
} as const;
export type WriteStatus = (typeof WriteStatus)[keyof typeof WriteStatus];

export interface WriteFaceTagsResult {
  photo: string;
  /** The file written (or that would be): the sidecar, or the photo itself in place. */
  target: string;
  mode: TagMode;
  status: WriteStatus;
  /** A new sidecar was (or would be) created. */
  createdSidecar: boolean;
  /** A new sidecar starts as a copy of the photo's embedded XMP, so readers that prefer it lose nothing. */
  seededFromEmbedded: boolean;
  /** In place: the backup that holds the photo's earlier bytes (new or kept from an earlier run). */
  backup: string | null;
  faces: FaceResult[];
  warnings: TagWarning[];
}

/** Formats exiftool rewrites losslessly and can checksum the image data of (FileType values). */
export const IN_PLACE_FILE_TYPES: ReadonlySet<string> = new Set([
  'JPEG',
  'PNG',
  'TIFF',
  'WEBP',
  'Extended WEBP',
]);

export const BACKUP_SUFFIX = '_original';

const WRITE_ARGS = ['-overwrite_original', '-n'];
const TOOLKIT_KEY = 'XMP-x:XMPToolkit';

// XML 1.0 cannot hold C0 controls; exiftool would write an invalid packet.
const CONTROL = /[\p{Cc}]/u;

const checkName = (name: string | null): string | null => {
  if (name === null) return null;
  if (CONTROL.test(name)) {
    throw new XmpError(XmpErrorCode.InvalidName, `name holds a control character: ${JSON.stringify(name)}`);
  }
  const trimmed = name.trim();
  if (trimmed === '')
    throw new XmpError(XmpErrorCode.InvalidName, 'empty name (use null for an unknown face)');
  return trimmed;
};

const checkFace = (face: TagFace, orientation: ExifOrientation, info: PhotoInfo): void => {
  const { x1, y1, x2, y2 } = face.box;
  const finite = [x1, y1, x2, y2, face.uprightWidth, face.uprightHeight].every(Number.isFinite);
  if (!finite || x2 <= x1 || y2 <= y1 || face.uprightWidth <= 0 || face.uprightHeight <= 0) {
    throw new XmpError(XmpErrorCode.InvalidFace, `not a usable face box: ${JSON.stringify(face.box)}`);
  }
  // The engine's size may be scaled, never reshaped: a different aspect means the orientation
  // (or the photo) is not the one the box was found on.
  const upright = uprightSize(info.storedWidth, info.storedHeight, orientation);
  const aspect = face.uprightWidth / face.uprightHeight / (upright.width / upright.height);
  if (Math.abs(aspect - 1) > 0.01) {
    throw new XmpError(
      XmpErrorCode.DimensionMismatch,
      `face found on a ${face.uprightWidth}x${face.uprightHeight} image, but the photo is ${upright.width}x${upright.height} upright (stored ${info.storedWidth}x${info.storedHeight}, orientation ${orientation})`,
    );
  }
};

/** The keyword hierarchy root as written (trimmed levels); a bad one is refused before any photo. */
export const checkKeywordRoot = (root: string): string => {
  if (root === '') return root;
  const levels = root.split('|');
  if (levels.some((l) => l.trim() === '' || l.includes('/') || CONTROL.test(l))) {
    throw new XmpError(XmpErrorCode.InvalidOption, `keyword root must be '|'-separated names: ${root}`);
  }
  return levels.map((l) => l.trim()).join('|');
};

/** The XMP tags that are not ours: a write must leave them exactly as they were. */
export const foreignPart = (xmp: Record<string, unknown>): string =>
  canonicalJson(
    Object.fromEntries(
      Object.entries(xmp).filter(
        ([k]) => k !== TOOLKIT_KEY && !(FACE_TAG_KEYS as readonly string[]).includes(k),
      ),
    ),
  );

const requireFile = async (path: string): Promise<Stats> => {
  const s = await statOrNull(path).catch((error) => {
    throw new XmpError(XmpErrorCode.PhotoUnreadable, `cannot stat the photo: ${path}`, { cause: error });
  });
  if (!s) throw new XmpError(XmpErrorCode.PhotoUnreadable, `photo not found: ${path}`);
  if (!s.isFile()) throw new XmpError(XmpErrorCode.PhotoUnreadable, `not a regular file: ${path}`);
  if ((s.mode & 0o444) === 0)
    throw new XmpError(XmpErrorCode.PhotoUnreadable, `photo is unreadable: ${path}`);
  return s;
};

/** The sidecar's stat, or null when there is none; throws when it exists but cannot be used. */
const sidecarStat = async (path: string): Promise<Stats | null> => {
  let s: Stats | null;
  try {
    s = await statOrNull(path);
  } catch (error) {
    throw new XmpError(XmpErrorCode.SidecarUnreadable, `cannot stat the sidecar: ${path}`, { cause: error });
  }
  if (!s) return null;
  if (!s.isFile())
    throw new XmpError(XmpErrorCode.SidecarUnreadable, `sidecar is not a regular file: ${path}`);
  if ((s.mode & 0o444) === 0)
    throw new XmpError(XmpErrorCode.SidecarUnreadable, `sidecar is unreadable: ${path}`);
  return s;
};

export interface Baseline {
  /** The face tags the target holds now. */
  state: FaceTagState;
  /** The rest of its XMP, which must survive. */
  foreign: string;
}

const classifyWriteError = (error: unknown, inPlace: boolean): XmpError => {
  if (error instanceof XmpError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/XMP format error|invalid XMP/i.test(message)) {
    return new XmpError(
      inPlace ? XmpErrorCode.EmbeddedXmpCorrupt : XmpErrorCode.SidecarMalformed,
      `exiftool refuses to rewrite damaged XMP: ${message}`,
      { cause: error },
    );
  }
  if (/permission denied|read-only/i.test(message)) {
    return new XmpError(XmpErrorCode.ReadOnly, `not writable: ${message}`, { cause: error });
  }
  return new XmpError(XmpErrorCode.ExifToolFailed, `exiftool failed: ${message}`, { cause: error });
};

/** The longest file name (in bytes) Linux file systems and most others accept. */
const NAME_MAX = 255;

/** Refuses, before anything is written, a sidecar or backup whose name no file system would take. */
const checkNameLength = (path: string, what: string, instead: string): void => {
  const bytes = Buffer.byteLength(basename(path));
  if (bytes > NAME_MAX)
    throw new XmpError(
      XmpErrorCode.NameTooLong,
      `the ${what} would be named ${bytes} bytes long, over the ${NAME_MAX} a file name may have; ${instead}`,
    );
};

export const writeFaceTags = async (
  session: ExifToolSession,
  photo: string,
  faces: readonly TagFace[],
  options: WriteFaceTagsOptions = {},
): Promise<WriteFaceTagsResult> => {
  const mode = options.mode ?? TagMode.Sidecar;
  if (mode !== TagMode.Sidecar && mode !== TagMode.InPlace) {
    throw new XmpError(XmpErrorCode.InvalidOption, `unknown tag mode: ${String(mode)}`);
  }
  const sidecarName = options.sidecarName ?? SidecarName.Stem;
  if (sidecarName !== SidecarName.Stem && sidecarName !== SidecarName.Full) {
    throw new XmpError(XmpErrorCode.InvalidOption, `unknown sidecar naming: ${String(sidecarName)}`);
  }
  const keywordRoot = checkKeywordRoot(options.keywordRoot ?? 'People');
  const names = faces.map((f) => checkName(f.name));
  await requireFile(photo);
  // Write beside the real file when the photo is a symlink.
  const realPhoto = await realpath(photo);
  const inPlace = mode === TagMode.InPlace;
  const target = inPlace ? realPhoto : sidecarPathFor(realPhoto, sidecarName);
  if (!inPlace)
    checkNameLength(
      target,
      'sidecar',
      sidecarName === SidecarName.Full ? 'use the photo.xmp sidecar naming' : 'rename the photo',
    );
  else if (options.backup !== false)
    checkNameLength(`${target}${BACKUP_SUFFIX}`, 'backup', 'use --no-backup, or a sidecar');
  return session.exclusive(target, () =>
    writeLocked(session, {
      photo,
      realPhoto,
      target,
      inPlace,
      sidecarName,
      keywordRoot,
      faces,
      names,
      options,
    }),
  );
};

interface WriteJob {
  photo: string;
  realPhoto: string;
  target: string;
  inPlace: boolean;
  sidecarName: SidecarName;
  keywordRoot: string;
  faces: readonly TagFace[];
  names: (string | null)[];
  options: WriteFaceTagsOptions;
}

const writeLocked = async (session: ExifToolSession, job: WriteJob): Promise<WriteFaceTagsResult> => {
  const { realPhoto, inPlace, options } = job;
  let target = job.target;
  const warnings: TagWarning[] = [];
  const photoStat = await requireFile(realPhoto);
  const info = await readPhotoInfo(session, realPhoto, { hash: inPlace });
  for (const f of job.faces) checkFace(f, info.orientation, info);

  let targetStat: Stats | null;
  let baseline: Baseline;
  let seed = false;
  if (inPlace) {
    if (!IN_PLACE_FILE_TYPES.has(info.fileType)) {
      throw new XmpError(
        XmpErrorCode.InPlaceUnsupported,
        `${info.fileType} files are not edited in place (only JPEG, PNG, TIFF, WebP); use a sidecar`,
      );
    }
    if (info.xmpDamage) {
      throw new XmpError(
        XmpErrorCode.EmbeddedXmpCorrupt,
        `the photo's embedded XMP is damaged: ${info.xmpDamage}`,
      );
    }
    if (!info.imageHash) {
      throw new XmpError(
        XmpErrorCode.InPlaceUnverifiable,
        `exiftool cannot checksum this ${info.fileType}'s image data, so an in-place edit could not be proven harmless; use a sidecar`,
      );
    }
    targetStat = photoStat;
    baseline = { state: parseFaceTagState(info.xmp), foreign: foreignPart(info.xmp) };
  } else {
    if (job.sidecarName === SidecarName.Stem) {
      const siblings = await stemSiblings(realPhoto);
      if (siblings.length > 0) {
        throw new XmpError(
          XmpErrorCode.SidecarAmbiguous,
          `${target} would be shared with ${siblings.join(', ')}; use the photo.jpg.xmp sidecar naming`,
        );
      }
    }
    targetStat = await sidecarStat(target);
    // A symlinked sidecar: replace the file it points to, keep the link.
    if (targetStat) target = await realpath(target);
    if (targetStat) {
      const xmp = await readSidecarXmp(session, target);
      baseline = { state: parseFaceTagState(xmp), foreign: foreignPart(xmp) };
    } else if (info.xmpDamage) {
      warnings.push({
        code: XmpErrorCode.EmbeddedXmpCorrupt,
        message: `the photo's embedded XMP is damaged (${info.xmpDamage}); the new sidecar does not copy it`,
      });
      baseline = { state: emptyFaceTagState(), foreign: foreignPart({}) };
    } else {
      seed = Object.keys(info.xmp).length > 0;
      baseline = { state: parseFaceTagState(info.xmp), foreign: foreignPart(info.xmp) };
    }
  }

  const planned: PlannedFace[] = job.faces.map((f, i) => ({
    name: job.names[i] ?? null,
    rect: uprightBoxToStoredRect(f.box, f.uprightWidth, f.uprightHeight, info.orientation),
  }));
  const plan = planFaceTags(baseline.state, planned, {
    unknownRegions: options.unknownRegions ?? false,
    keywordRoot: job.keywordRoot,
    iouThreshold: options.iouThreshold ?? DEFAULT_IOU_THRESHOLD,
    storedWidth: info.storedWidth,
    storedHeight: info.storedHeight,
  });
  warnings.push(...plan.warnings);
  const changed = Object.keys(plan.writes).length > 0;
  const result: WriteFaceTagsResult = {
    photo: job.photo,
    target,
    mode: inPlace ? TagMode.InPlace : TagMode.Sidecar,
    status: !changed ? WriteStatus.Unchanged : options.dryRun ? WriteStatus.WouldWrite : WriteStatus.Written,
    createdSidecar: !inPlace && changed && targetStat === null,
    seededFromEmbedded: !inPlace && changed && targetStat === null && seed,
    backup: null,
    faces: plan.faces,
    warnings,
  };
  if (!changed) return result;
  // Checked in a dry run too, so that it predicts the real run.
  await assertWritableFolder(dirname(target));
  if (targetStat) await assertWritableFile(target, targetStat, inPlace ? 'photo' : 'sidecar');
  if (options.dryRun) {
    if (inPlace && options.backup !== false) result.backup = `${target}${BACKUP_SUFFIX}`;
    return result;
  }

  const temp = tempSibling(target, inPlace ? extname(target) : '.xmp');
  session.trackTemp(temp);
  try {
    if (targetStat) {
      await copyFile(target, temp, constants.COPYFILE_EXCL);
    } else if (seed) {
      await session.extractTag('XMP', realPhoto, temp);
    }
    const outcome = await session.writeTags(temp, plan.writes, WRITE_ARGS).catch((error) => {
      throw classifyWriteError(error, inPlace);
    });
    for (const w of outcome.warnings) warnings.push({ code: 'exiftool_warning', message: w });
    await verifyWrittenXmp(session, temp, plan.merged, baseline, info);
    // exiftool replaces the file it writes; the result takes the replaced file's mode and owner.
    if (targetStat) await copyOwnership(temp, targetStat);
    if (inPlace && options.backup !== false) {
      const backup = `${target}${BACKUP_SUFFIX}`;
      await keepBackup(target, backup);
      result.backup = backup;
    }
    await commitTemp(temp, target, targetStat);
  } catch (error) {
    await removeQuietly(temp);
    throw classifyWriteError(error, inPlace);
  } finally {
    session.untrackTemp(temp);
  }
  return result;
};

/**
 * Reads a written temp file back with exiftool: our tags exactly as planned, every other XMP tag
 * as it was, and for a photo the same image data, size and orientation. Throws would_lose_data or
 * pixels_changed otherwise (the caller then discards the temp file).
 */
export const verifyWrittenXmp = async (
  session: ExifToolSession,
  temp: string,
  merged: FaceTagState,
  baseline: Baseline,
  before: PhotoInfo,
): Promise<void> => {
  let xmp: Record<string, unknown>;
  if (extname(temp) === '.xmp') {
    xmp = await readSidecarXmp(session, temp);
  } else {
    const after = await readPhotoInfo(session, temp, { hash: true });
    if (after.imageHash !== before.imageHash) {
      throw new XmpError(
        XmpErrorCode.PixelsChanged,
        'the image data changed while writing XMP; photo left as it was',
      );
    }
    if (after.storedWidth !== before.storedWidth || after.storedHeight !== before.storedHeight) {
      throw new XmpError(
        XmpErrorCode.PixelsChanged,
        'the image size changed while writing XMP; photo left as it was',
      );
    }
    if (after.orientation !== before.orientation) {
      throw new XmpError(
        XmpErrorCode.WouldLoseData,
        'the orientation changed while writing XMP; photo left as it was',
      );
    }
    xmp = after.xmp;
  }
  const wanted = canonicalJson(faceTagValues(merged));
  const got = canonicalJson(faceTagValues(parseFaceTagState(xmp)));
  if (wanted !== got) {
    throw new XmpError(
      XmpErrorCode.WouldLoseData,
      'exiftool did not write the face tags exactly as planned (existing regions or keywords would change); left as it was',
    );
  }
  if (foreignPart(xmp) !== baseline.foreign) {
    throw new XmpError(XmpErrorCode.WouldLoseData, 'writing would change other XMP tags; left as it was');
  }
};
