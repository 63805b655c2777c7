import { PhotoStatus, type ResultLine } from '../report/resultLine.js';
import type { ImageAnalysis } from '../types.js';
import type { PhotoPeopleDecision } from './decidePhoto.js';

export interface DecidedLineInput {
  path: string;
  rawPath?: string;
  sha256: string;
  analysis: ImageAnalysis;
  cached: boolean;
  decision: PhotoPeopleDecision;
  /** The people searched for; everyone enrolled when absent. */
  searched?: ReadonlySet<string>;
  /** Indexes of faces that are their person's own enrolled references. */
  references?: ReadonlySet<number>;
  ms?: number;
}

const finiteOrUndefined = (n: number | null): number | undefined =>
  n !== null && Number.isFinite(n) ? n : undefined;

/**
 * The result line of an analysed photo, one schema for the CLI and the cloud: `matched` when a
 * searched person is in it, each face with who it is (or unknown), its score and its margin.
 */
export const decidedLine = (o: DecidedLineInput): ResultLine => {
  const people = o.decision.people.filter((p) => !o.searched || o.searched.has(p));
  const status =
    o.analysis.faces.length === 0
      ? PhotoStatus.NoFace
      : people.length > 0
        ? PhotoStatus.Matched
        : PhotoStatus.NoMatch;
  return {
    path: o.path,
    ...(o.rawPath ? { rawPath: o.rawPath } : {}),
    status,
    people,
    width: o.analysis.width,
    height: o.analysis.height,
    sha256: o.sha256,
    faces: o.analysis.faces.map((f, i) => {
      const d = o.decision.faces[i]!;
      const score = finiteOrUndefined(d.score);
      const margin = finiteOrUndefined(d.margin);
      return {
        box: f.box,
        detScore: f.score,
        quality: f.quality,
        person: d.person,
        ...(score !== undefined ? { score } : {}),
        ...(d.person === null && d.best !== null ? { best: d.best } : {}),
        ...(margin !== undefined ? { margin } : {}),
        ...(d.decidedBy ? { decidedBy: d.decidedBy } : {}),
        ...(o.references?.has(i) ? { reference: true } : {}),
      };
    }),
    cached: o.cached,
    ...(o.ms !== undefined ? { ms: o.ms } : {}),
  };
};
