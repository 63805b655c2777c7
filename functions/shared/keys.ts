import { createHash } from 'node:crypto';

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

export const matchKey = (person: string, sourceKey: string): string =>
  `${Prefix.Matches}${person}/${sourceKey}`;

/** One result object per input photo; hashed so any key (spaces, unicode, depth) maps to one flat name. */
export const resultLinesKey = (runId: string, sourceKey: string): string =>
  `${Prefix.Results}${runId}/lines/${createHash('sha1').update(sourceKey).digest('hex')}.jsonl`;

export const runKey = (runId: string): string => `${Prefix.Results}${runId}/run.json`;
export const summaryKey = (runId: string): string => `${Prefix.Results}${runId}/summary.json`;
export const runKeysKey = (runId: string): string => `${Prefix.Results}${runId}/keys.jsonl`;

/** Photos dropped into incoming/ are grouped into one run per UTC day. */
export const dropRunId = (now: Date): string => `drop-${now.toISOString().slice(0, 10)}`;

/** Deterministic per manifest version, so a retried ingest lands in the same run. */
export const manifestRunId = (manifestKey: string, etag: string): string => {
  const base = manifestKey
    .slice(manifestKey.lastIndexOf('/') + 1)
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 48);
  const tag = createHash('sha1').update(`${manifestKey}\n${etag}`).digest('hex').slice(0, 10);
  return `${base || 'run'}-${tag}`;
};
