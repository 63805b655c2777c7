import type { FsPath } from '../../core/fs/pathBytes.js';
import { errorFields } from '../../core/report/lines.js';
import type { Box } from '../../core/types.js';
import type { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { type RegionFrom, type RegionSource, readFaceTags } from '../../core/xmp/readFaceTags.js';
import { exiftoolPath } from './exiftoolPath.js';
import {
  type DecidedFace,
  DisagreementKind,
  type TagDisagreement,
  tagDisagreements,
} from './tagDisagreements.js';

/** What `--compare-tags` found for one photo: its face tags, and where they disagree with us. */
export interface TagComparison {
  regions: { name: string | null; box: Box; source: RegionSource; from: RegionFrom }[];
  personInImage: string[];
  /** Empty when tags and decision agree; one `unreadable` entry when the tags could not be read. */
  disagreements: TagDisagreement[];
}

const round = (n: number): number => Math.round(n * 100) / 100;
const roundBox = (b: Box): Box => ({ x1: round(b.x1), y1: round(b.y1), x2: round(b.x2), y2: round(b.y2) });

/**
 * Reads a photo's face tags (sidecars and embedded XMP, one exiftool call or two) and compares them
 * with our decision for its faces. Never throws: a photo whose tags cannot be read gets an
 * `unreadable` disagreement with the reason, and the run goes on.
 */
export const compareWithTags = async (
  session: ExifToolSession,
  path: FsPath,
  faces: readonly DecidedFace[],
): Promise<TagComparison> => {
  try {
    const read = await readFaceTags(session, exiftoolPath(path));
    const disagreements = tagDisagreements(read.regions, read.personInImage, faces).map((d) =>
      d.box ? { ...d, box: roundBox(d.box) } : d,
    );
    return {
      regions: read.regions.map((r) => ({
        name: r.name,
        box: roundBox(r.box),
        source: r.source,
        from: r.from,
      })),
      personInImage: read.personInImage,
      disagreements,
    };
  } catch (error) {
    const { code, reason } = errorFields(error);
    return {
      regions: [],
      personInImage: [],
      disagreements: [{ kind: DisagreementKind.Unreadable, reason: `${code}: ${reason}` }],
    };
  }
};

/** With `who --person A`: only the disagreements about A (tagged as A, or found to be A). */
export const onlyPeople = (c: TagComparison, people: ReadonlySet<string>): TagComparison => ({
  ...c,
  disagreements: c.disagreements.filter(
    (d) =>
      d.kind === DisagreementKind.Unreadable ||
      (d.tagged !== undefined && people.has(d.tagged)) ||
      (d.found !== undefined && people.has(d.found)),
  ),
});
