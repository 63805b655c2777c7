import { createHash } from 'node:crypto';
import { copyPlan, Layout } from '../../core/report/copyPlan.js';

/** The bucket's layout: every function agrees on these prefixes. */
export const Prefix = {
  Incoming: 'incoming/',
  Reference: 'reference/',
  Manifests: 'manifests/',
  Matches: 'matches/',
  Results: 'results/',
  Faces: 'faces/',
} as const;
export type Prefix = (typeof Prefix)[keyof typeof Prefix];

export const GALLERY_FILE = 'gallery.json';
export const ENROLMENT_FILE = 'enrolment.json';

/** S3 event keys are URL-encoded with '+' for spaces. */
export const decodeEventKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));

/** Person of a key under reference/<person>/…, if any. */
export const referencePerson = (key: string): string | undefined => {
  if (!key.startsWith(Prefix.Reference)) return undefined;
  const rest = key.slice(Prefix.Reference.length);
  const slash = rest.indexOf('/');
  return slash > 0 ? rest.slice(0, slash) : undefined;
};

export const galleryKey = (person: string): string => `${Prefix.Reference}${person}/${GALLERY_FILE}`;

/** A planned copy's destination (core/report/copyPlan.ts, by person) under matches/. */
export const matchesKey = (rel: string): string => `${Prefix.Matches}${rel}`;

/** Where a photo found to be `person` is copied: matches/<person>/<original key>, by the one copy policy. */
export const matchKey = (person: string, sourceKey: string): string =>
  matchesKey(copyPlan([person], sourceKey, Layout.ByPerson)[0]!.rel);

/** A run's result lines, one object per writing invocation (see resultLines.ts). */
export const linesPrefix = (runId: string): string => `${Prefix.Results}${runId}/lines/`;

/** verify's record of who it searched a run's photos for, with which thresholds (see searchedPeople.ts). */
export const searchedPrefix = (runId: string): string => `${Prefix.Results}${runId}/searched/`;
export const searchedKey = (runId: string, signature: string): string =>
  `${searchedPrefix(runId)}${signature}.json`;

/** ingest's record of the keys dropped into a drop run, one object per invocation (see dropRun.ts). */
export const inputsPrefix = (runId: string): string => `${Prefix.Results}${runId}/inputs/`;

export const runKey = (runId: string): string => `${Prefix.Results}${runId}/run.json`;
export const summaryKey = (runId: string): string => `${Prefix.Results}${runId}/summary.json`;
export const runKeysKey = (runId: string): string => `${Prefix.Results}${runId}/keys.jsonl`;

/** Photos dropped into incoming/ are grouped into one run per UTC day. */
export const dropRunId = (now: Date): string => `drop-${now.toISOString().slice(0, 10)}`;

/**
 * Deterministic per manifest version, so a retried ingest lands in the same run, and computable
 * by whoever uploaded it (`mespotter cloud run`): the ETag is taken without quotes, as S3 events
 * carry it (PutObject and HeadObject quote it).
 */
export const manifestRunId = (manifestKey: string, quotedOrNotEtag: string): string => {
  const etag = quotedOrNotEtag.replace(/"/g, '');
  const base = manifestKey
    .slice(manifestKey.lastIndexOf('/') + 1)
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 48);
  const tag = createHash('sha1').update(`${manifestKey}\n${etag}`).digest('hex').slice(0, 10);
  return `${base || 'run'}-${tag}`;
};
