import { LibraryUnusableError } from '../../core/library/LibraryUnusableError.js';
import { errorFields } from '../../core/report/lines.js';
import type { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import type { FaceResult, TagWarning } from '../../core/xmp/mergeFaceTags.js';
import {
  TagMode,
  type WriteFaceTagsOptions,
  WriteStatus,
  writeFaceTags,
} from '../../core/xmp/writeFaceTags.js';
import type { LoadedPeople } from '../people/loadPeople.js';
import { type AnalysisContext, analyseFile, type FileAt } from '../photos/analyseFile.js';
import { decideFile } from '../photos/decideFile.js';
import { carryAnalysis } from './carryAnalysis.js';
import { exiftoolPath } from './exiftoolPath.js';
import { facesToTag, type TagSelection } from './facesToTag.js';

export interface TagContext extends AnalysisContext {
  session: ExifToolSession;
  people: LoadedPeople;
  selection: TagSelection;
  write: WriteFaceTagsOptions;
}

/** How one photo ended in a `tag` run. */
export const TagStatus = {
  ...WriteStatus,
  /** Nobody searched was found (and no unknown region asked for): no file was looked at. */
  NothingToTag: 'nothing_to_tag',
  Failed: 'failed',
} as const;
export type TagStatus = (typeof TagStatus)[keyof typeof TagStatus];

/** One photo's outcome: what `tag --json` prints per photo. */
export interface TaggedPhoto {
  path: string;
  status: TagStatus;
  /** The file written (or that would be): the sidecar, or the photo in place. */
  target?: string;
  /** In place: the byte-exact backup of the photo as it was. */
  backup?: string;
  faces: FaceResult[];
  warnings: TagWarning[];
  code?: string;
  reason?: string;
  /** The analysis came from the library. */
  cached?: boolean;
}

/**
 * One photo of `tag`: its analysis (through the library), the decision with everyone enrolled and
 * the library's human labels, the faces to name, and the XMP write. A photo that cannot be analysed
 * or tagged gets `failed` with its code and reason, and its files stay as they were; only the
 * library's own failure (LibraryUnusableError) is thrown, since no other photo can succeed either.
 */
export const tagPhoto = async (ctx: TagContext, file: FileAt, shown: string): Promise<TaggedPhoto> => {
  try {
    const fa = await analyseFile(ctx, file);
    const { decision } = decideFile(ctx.library, ctx.people, fa.analysis, fa.faces);
    const faces = facesToTag(fa.analysis, decision.faces, ctx.selection);
    if (faces.length === 0)
      return { path: shown, status: TagStatus.NothingToTag, faces: [], warnings: [], cached: fa.cached };
    const result = await writeFaceTags(ctx.session, exiftoolPath(file.path), faces, ctx.write);
    const warnings = [...result.warnings];
    if (result.status === WriteStatus.Written && result.mode === TagMode.InPlace) {
      // The write happened; a failure to update the library only costs a re-analysis next time.
      await carryAnalysis(ctx.library, ctx.ns, file, fa).catch((error: unknown) => {
        warnings.push({
          code: 'library_not_updated',
          message: `the library still knows the photo's old bytes (${errorFields(error).reason}); the next run analyses it again`,
        });
      });
    }
    return {
      path: shown,
      status: result.status,
      target: result.target,
      ...(result.backup ? { backup: result.backup } : {}),
      faces: result.faces,
      warnings,
      cached: fa.cached,
    };
  } catch (error) {
    if (error instanceof LibraryUnusableError) throw error;
    return { path: shown, status: TagStatus.Failed, faces: [], warnings: [], ...errorFields(error) };
  }
};
