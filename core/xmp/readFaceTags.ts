/**
 * Reads the face regions already in a photo's sidecar(s) and embedded XMP, whoever wrote them
 * (digiKam, Lightroom, Picasa, Windows Photos, mespotter), as boxes in upright pixels of the
 * full-resolution photo: the frame the engine works in.
 */
import { realpath } from 'node:fs/promises';
import { iou } from '../detect/boxMath.js';
import { XmpError, XmpErrorCode } from '../errors.js';
import type { Box } from '../types.js';
import type { ExifToolSession } from './ExifToolSession.js';
import { isFaceRegion, parseFaceTagState, type TaggedRegion } from './faceTagState.js';
import { DEFAULT_IOU_THRESHOLD, type TagWarning } from './mergeFaceTags.js';
import {
  type ExifOrientation,
  type NormRect,
  rectAsBox,
  storedRectToUprightBox,
  uprightSize,
} from './orientationTransform.js';
import { readPhotoInfo, readSidecarXmp } from './readXmpFiles.js';
import { statOrNull } from './safeReplace.js';
import { SidecarName, sidecarPathFor, stemSiblings } from './sidecarPath.js';

export const RegionSource = { Mwg: 'mwg', Mp: 'mp' } as const;
export type RegionSource = (typeof RegionSource)[keyof typeof RegionSource];

export const RegionFrom = { Sidecar: 'sidecar', Embedded: 'embedded' } as const;
export type RegionFrom = (typeof RegionFrom)[keyof typeof RegionFrom];

export interface ReadRegion {
  name: string | null;
  /** Upright pixels of the full-resolution photo (EXIF orientation applied). */
  box: Box;
  source: RegionSource;
  from: RegionFrom;
  /** The file the region was read from. */
  file: string;
}

export interface ReadFaceTagsOptions {
  /** Sidecars to look for, in order of preference (default: photo.jpg.xmp, then photo.xmp). */
  sidecarNames?: readonly SidecarName[];
  /** Also read the photo's embedded XMP (default true). */
  embedded?: boolean;
  /** Overlap at which two regions from different lists are the same face (default 0.5). */
  iouThreshold?: number;
}

export interface FaceTagsRead {
  photo: string;
  orientation: ExifOrientation;
  storedWidth: number;
  storedHeight: number;
  uprightWidth: number;
  uprightHeight: number;
  /** Face regions, preferred first: sidecar before embedded, MWG before Microsoft. */
  regions: ReadRegion[];
  /** Regions left out because a preferred list already has the same face. */
  duplicates: number;
  /** Iptc4xmpExt:PersonInImage names over every file read, first seen first. */
  personInImage: string[];
  /** Sidecars that were read. */
  sidecars: string[];
  warnings: TagWarning[];
}

interface Candidate {
  name: string | null;
  rect: NormRect;
  source: RegionSource;
  from: RegionFrom;
  file: string;
  list: string;
}

const candidates = (
  regions: readonly TaggedRegion[],
  source: RegionSource,
  from: RegionFrom,
  file: string,
): { usable: Candidate[]; unusable: number } => {
  const usable: Candidate[] = [];
  let unusable = 0;
  for (const r of regions) {
    if (source === RegionSource.Mwg && !isFaceRegion(r)) continue;
    if (!r.rect) {
      unusable++;
      continue;
    }
    usable.push({ name: r.name, rect: r.rect, source, from, file, list: `${file}#${source}` });
  }
  return { usable, unusable };
};

export const readFaceTags = async (
  session: ExifToolSession,
  photo: string,
  options: ReadFaceTagsOptions = {},
): Promise<FaceTagsRead> => {
  const s = await statOrNull(photo).catch(() => null);
  if (!s?.isFile())
    throw new XmpError(XmpErrorCode.PhotoUnreadable, `photo not found or not a file: ${photo}`);
  const realPhoto = await realpath(photo);
  const info = await readPhotoInfo(session, realPhoto, { hash: false });
  const warnings: TagWarning[] = [];
  const pool: Candidate[] = [];
  const personInImage: string[] = [];
  const sidecars: string[] = [];
  let unusable = 0;

  const take = (xmp: Record<string, unknown>, from: RegionFrom, file: string): void => {
    const state = parseFaceTagState(xmp);
    for (const [list, source] of [
      [state.mwg, RegionSource.Mwg],
      [state.mp, RegionSource.Mp],
    ] as const) {
      const c = candidates(list, source, from, file);
      pool.push(...c.usable);
      unusable += c.unusable;
    }
    for (const n of state.personInImage) if (!personInImage.includes(n)) personInImage.push(n);
  };

  for (const name of options.sidecarNames ?? [SidecarName.Full, SidecarName.Stem]) {
    const path = sidecarPathFor(realPhoto, name);
    const st = await statOrNull(path).catch(() => null);
    if (!st) continue;
    if (!st.isFile() || (st.mode & 0o444) === 0) {
      throw new XmpError(XmpErrorCode.SidecarUnreadable, `sidecar cannot be read: ${path}`);
    }
    if (name === SidecarName.Stem) {
      const siblings = await stemSiblings(realPhoto);
      if (siblings.length > 0) {
        warnings.push({
          code: XmpErrorCode.SidecarAmbiguous,
          message: `${path} is shared with ${siblings.join(', ')}: not read`,
        });
        continue;
      }
    }
    take(await readSidecarXmp(session, path), RegionFrom.Sidecar, path);
    sidecars.push(path);
  }
  if (options.embedded ?? true) {
    if (info.xmpDamage) {
      throw new XmpError(
        XmpErrorCode.EmbeddedXmpCorrupt,
        `the photo's embedded XMP is damaged: ${info.xmpDamage}`,
      );
    }
    take(info.xmp, RegionFrom.Embedded, realPhoto);
  }
  if (unusable > 0) {
    warnings.push({
      code: 'unusable_region',
      message: `${unusable} face region(s) without a usable box skipped`,
    });
  }

  const threshold = options.iouThreshold ?? DEFAULT_IOU_THRESHOLD;
  const kept: Candidate[] = [];
  let duplicates = 0;
  for (const c of pool) {
    // Regions within one list are all kept (two faces can overlap); across lists, the first wins.
    const same = kept.find(
      (k) => k.list !== c.list && iou(rectAsBox(k.rect), rectAsBox(c.rect)) >= threshold,
    );
    if (!same) {
      kept.push(c);
      continue;
    }
    duplicates++;
    if (same.name !== null && c.name !== null && same.name !== c.name) {
      warnings.push({
        code: 'names_disagree',
        message: `the same face is "${same.name}" in ${same.source} (${same.from}) and "${c.name}" in ${c.source} (${c.from})`,
      });
    }
  }
  const upright = uprightSize(info.storedWidth, info.storedHeight, info.orientation);
  return {
    photo,
    orientation: info.orientation,
    storedWidth: info.storedWidth,
    storedHeight: info.storedHeight,
    uprightWidth: upright.width,
    uprightHeight: upright.height,
    regions: kept.map((c) => ({
      name: c.name,
      box: storedRectToUprightBox(c.rect, upright.width, upright.height, info.orientation),
      source: c.source,
      from: c.from,
      file: c.file,
    })),
    duplicates,
    personInImage,
    sidecars,
    warnings,
  };
};
