import { XmpError, XmpErrorCode } from '../../core/errors.js';
import { cropUpright } from '../../core/image/decode.js';
import { analyzeIntoLibrary } from '../../core/library/analyzeIntoLibrary.js';
import type { StoredFace } from '../../core/library/Library.js';
import type { Box } from '../../core/types.js';
import type { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { readFaceTags } from '../../core/xmp/readFaceTags.js';
import { type AnalysisContext, analyseFile, type FileAt, readPhotoBytes } from '../photos/analyseFile.js';
import { exiftoolPath } from './exiftoolPath.js';
import { matchBoxes } from './matchBoxes.js';

/**
 * A region's own box is grown by this much of its size on every side before it is analysed on its
 * own: the detector needs some context around a face, and other programs' boxes can be tight.
 */
export const REGION_CROP_MARGIN = 0.5;

/** How a tagged region became a face. */
export const RegionVia = {
  /** The face the engine found in the photo under the region. */
  Detected: 'detected',
  /** No detected face overlaps the region: the region was cut out and analysed on its own. */
  OwnBox: 'own_box',
} as const;
export type RegionVia = (typeof RegionVia)[keyof typeof RegionVia];

/** A named region mapped to a face of the library. */
export interface RegionFace {
  name: string;
  /** photo#N: which region of which photo. */
  source: string;
  sha256: string;
  face: StoredFace;
  via: RegionVia;
}

/** A named region that could not be used, with why. */
export interface SkippedRegion {
  name: string;
  source: string;
  reason: string;
}

export interface PhotoRegions {
  faces: RegionFace[];
  skipped: SkippedRegion[];
  /** Named regions the photo holds (after the --person filter). */
  named: number;
  warnings: string[];
}

const centreInside = (face: Box, region: Box): boolean => {
  const cx = (face.x1 + face.x2) / 2;
  const cy = (face.y1 + face.y2) / 2;
  return cx >= region.x1 && cx <= region.x2 && cy >= region.y1 && cy <= region.y2;
};

const area = (b: Box): number => (b.x2 - b.x1) * (b.y2 - b.y1);

const scaleBox = (b: Box, sx: number, sy: number): Box => ({
  x1: b.x1 * sx,
  y1: b.y1 * sy,
  x2: b.x2 * sx,
  y2: b.y2 * sy,
});

/**
 * The faces behind one photo's named face regions (MWG or Microsoft, in its sidecars or embedded).
 * Each region takes the detected face it overlaps (one to one, by IoU); a region no detected face
 * overlaps is cut out with a margin and analysed on its own, and takes the largest face whose centre
 * lies in it; a region with no face even then is skipped with the reason. Throws when the photo's
 * tags or pixels cannot be read (the caller reports the photo and goes on).
 */
export const regionFaces = async (
  ctx: AnalysisContext,
  session: ExifToolSession,
  file: FileAt,
  shown: string,
  wanted: (name: string) => boolean,
): Promise<PhotoRegions> => {
  const read = await readFaceTags(session, exiftoolPath(file.path));
  const warnings = read.warnings.map((w) => w.message);
  const regions = read.regions.flatMap((r, i) =>
    r.name !== null && wanted(r.name) ? [{ name: r.name, box: r.box, source: `${shown}#${i + 1}` }] : [],
  );
  if (regions.length === 0) return { faces: [], skipped: [], named: 0, warnings };
  const fa = await analyseFile(ctx, file);
  const { width, height } = fa.analysis;
  // Both are the full-resolution upright photo; should the two readers ever disagree on its size,
  // the region is scaled, but a different shape means they do not see the same picture.
  const sx = width / read.uprightWidth;
  const sy = height / read.uprightHeight;
  if (Math.abs(sx / sy - 1) > 0.01)
    throw new XmpError(
      XmpErrorCode.DimensionMismatch,
      `the tags describe a ${read.uprightWidth}x${read.uprightHeight} image, but the photo decodes as ${width}x${height}`,
    );
  const boxes = regions.map((r) => scaleBox(r.box, sx, sy));
  const match = matchBoxes(
    boxes,
    fa.analysis.faces.map((f) => f.box),
  );
  const faces: RegionFace[] = [];
  const skipped: SkippedRegion[] = [];
  let bytes = fa.bytes;
  for (const [i, region] of regions.entries()) {
    const m = match[i];
    if (m !== null && m !== undefined) {
      faces.push({ ...region, sha256: fa.sha256, face: fa.faces[m]!, via: RegionVia.Detected });
      continue;
    }
    bytes ??= await readPhotoBytes(file.path);
    const box = boxes[i]!;
    let crop: Awaited<ReturnType<typeof cropUpright>>;
    try {
      crop = await cropUpright(bytes, box, {
        margin: REGION_CROP_MARGIN,
        maxPixels: ctx.engine.config.decode.maxPixels,
      });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      skipped.push({ name: region.name, source: region.source, reason: 'the region has no usable box' });
      continue;
    }
    const own = await analyzeIntoLibrary(ctx.engine, ctx.library, ctx.ns, crop.png, { reuse: ctx.reuse });
    let best: number | undefined;
    own.faces.forEach((f, j) => {
      const inPhoto = {
        x1: f.box.x1 + crop.left,
        y1: f.box.y1 + crop.top,
        x2: f.box.x2 + crop.left,
        y2: f.box.y2 + crop.top,
      };
      if (centreInside(inPhoto, box) && (best === undefined || area(f.box) > area(own.faces[best]!.box)))
        best = j;
    });
    if (best === undefined) {
      skipped.push({
        name: region.name,
        source: region.source,
        reason: 'no face found in the tagged region',
      });
      continue;
    }
    faces.push({ ...region, sha256: own.sha256, face: own.faces[best]!, via: RegionVia.OwnBox });
  }
  return { faces, skipped, named: regions.length, warnings };
};
