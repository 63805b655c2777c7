import { decidedLine } from '../../core/decide/decidedLine.js';
import type { FsPath } from '../../core/fs/pathBytes.js';
import { displayPath, joinPath } from '../../core/fs/pathBytes.js';
import { isPathInside } from '../../core/fs/pathInside.js';
import type { LinkKind } from '../../core/fs/placeLink.js';
import { LibraryUnusableError } from '../../core/library/LibraryUnusableError.js';
import { copyPlan, type Layout } from '../../core/report/copyPlan.js';
import { errorLine } from '../../core/report/lines.js';
import { CopyOutcome, type ResultLine } from '../../core/report/resultLine.js';
import { reviewPeople } from '../../core/teacher/reviewPeople.js';
import type { TeacherCascade } from '../../core/teacher/TeacherCascade.js';
import type { TeacherSource } from '../../core/teacher/types.js';
import type { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import type { LoadedPeople } from '../people/loadPeople.js';
import {
  type AnalysisContext,
  analyseFile,
  bytesMatching,
  type FileAnalysis,
  type FileAt,
} from '../photos/analyseFile.js';
import { decideFile } from '../photos/decideFile.js';
import { compareWithTags } from '../tag/compareWithTags.js';
import { copyMatch } from './copyMatch.js';

export interface SortPhotoContext extends AnalysisContext {
  people: LoadedPeople;
  output: string;
  layout: Layout;
  dryRun: boolean;
  link?: LinkKind;
  /** The library's id of this run, for the automatic labels it writes. */
  runId: number | null;
  teacher?: { cascade: TeacherCascade; sourceFor: (person: string) => TeacherSource | undefined };
  /** --compare-tags: read each photo's XMP face tags and record where they disagree with the decision. */
  tagSession?: ExifToolSession;
}

export interface SortedPhoto {
  line: ResultLine;
  /** The analysed bytes when they were read (for a thumbnail); absent on the fast path. */
  bytes?: Uint8Array;
}

/**
 * One photo of a sort: analysis (through the library), the decision with everyone enrolled, the
 * teacher for gray-zone people, the result line, the automatic labels, and a copy for each searched
 * person found. Never throws: a photo that cannot be used gets its error line.
 */
export const sortPhoto = async (
  ctx: SortPhotoContext,
  file: FileAt,
  at: { path: string; rawPath?: string },
): Promise<SortedPhoto> => {
  const started = performance.now();
  try {
    let fa = await analyseFile(ctx, file);
    let { decision, references } = decideFile(ctx.library, ctx.people, fa.analysis, fa.faces);
    const searched = new Set(ctx.people.searched);
    let bytes = fa.bytes;
    // The bytes are needed to copy a match, or to show the photo to the teacher.
    if (!bytes && (ctx.teacher || decision.people.some((p) => searched.has(p)))) {
      // Fast path: the library knew this file unchanged. Copy only bytes that still hash the same;
      // a file edited since (same size and time) is analysed again.
      bytes = await bytesMatching(file.path, fa.sha256, ctx.maxFileBytes);
      if (!bytes) {
        fa = await analyseFile({ ...ctx, reuse: false }, file);
        bytes = fa.bytes;
        ({ decision, references } = decideFile(ctx.library, ctx.people, fa.analysis, fa.faces));
      }
    }
    let teacher: ResultLine['teacher'];
    if (ctx.teacher) {
      const reviewed = await reviewPeople(ctx.teacher.cascade, {
        analysis: fa.analysis,
        decision,
        people: ctx.people.matrix,
        searched: ctx.people.searched,
        sourceFor: ctx.teacher.sourceFor,
        image: { kind: 'bytes', bytes: bytes! },
      });
      decision = reviewed.decision;
      if (reviewed.teacher.length > 0) teacher = reviewed.teacher;
    }
    recordAutoLabels(ctx, fa, decision.faces);
    const line = decidedLine({
      ...at,
      sha256: fa.sha256,
      analysis: fa.analysis,
      cached: fa.cached,
      decision,
      searched,
      references,
    });
    if (teacher) line.teacher = teacher;
    if (ctx.tagSession) {
      const faces = fa.analysis.faces.map((f, i) => ({ box: f.box, person: decision.faces[i]!.person }));
      line.tagDisagreements = (await compareWithTags(ctx.tagSession, file.path, faces)).disagreements;
    }
    const plan = copyPlan(line.people, file.rel, ctx.layout);
    if (plan.length > 0) {
      line.copies = [];
      for (const planned of plan) {
        const destination = destinationOf(ctx.output, planned.rel, file.rawRel, planned.people, ctx.layout);
        // A person's name is part of the path (by-person): whatever the name, nothing lands outside OUT.
        if (!isPathInside(destination, ctx.output)) {
          line.copies.push({
            people: planned.people,
            outcome: CopyOutcome.Failed,
            destination: displayPath(destination),
            reason: `would be outside ${ctx.output}; the person's name cannot be a folder name`,
          });
          continue;
        }
        // The analysed (or re-verified) bytes are what is copied: the copy has the line's sha256.
        const result = await copyMatch(bytes!, destination, {
          sha256: fa.sha256,
          mtime: fa.mtime,
          atime: fa.atime,
          dryRun: ctx.dryRun,
          ...(ctx.link ? { link: ctx.link, source: file.path } : {}),
        });
        line.copies.push({ people: planned.people, ...result });
      }
    }
    line.ms = Math.round(performance.now() - started);
    return { line, ...(bytes ? { bytes } : {}) };
  } catch (error) {
    // Not this photo's failure: the library file is unusable, and the run stops (runSort).
    if (error instanceof LibraryUnusableError) throw error;
    return { line: errorLine(at, error) };
  }
};

/** The run's automatic labels on this photo (what `people` counts); human labels are never touched. */
const recordAutoLabels = (
  ctx: SortPhotoContext,
  fa: FileAnalysis,
  faces: readonly { person: string | null; score: number; decidedBy: string | null }[],
): void => {
  const decided = faces.flatMap((d, i) => {
    if (d.decidedBy !== 'auto' || d.person === null) return [];
    const personId = ctx.library.person(d.person)?.id;
    return personId === undefined ? [] : [{ faceId: fa.faces[i]!.id, personId, score: d.score }];
  });
  ctx.library.replaceAutoLabels(fa.photoId, decided, ctx.runId);
};

/** OUT/<rel> or OUT/<person>/<rel>, keeping a non-UTF-8 name's exact bytes. */
const destinationOf = (
  output: string,
  plannedRel: string,
  rawRel: Buffer | undefined,
  people: readonly string[],
  layout: Layout,
): FsPath => {
  if (!rawRel) return joinPath(output, plannedRel);
  return layout === 'by-person' ? joinPath(joinPath(output, people[0]!), rawRel) : joinPath(output, rawRel);
};
