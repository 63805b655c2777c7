import { FaceOutcome } from '../../core/xmp/mergeFaceTags.js';
import { type TaggedPhoto, TagStatus } from './tagPhoto.js';

/** A face we named whose region already carries another name (left as it was). */
export interface TagConflict {
  path: string;
  found: string;
  tagged: string;
}

/** The end of a `tag` run: what `tag --json` prints last, as {"summary": …}. */
export interface TagRunSummary {
  photos: number;
  /** Photos per status (written, unchanged, would_write, nothing_to_tag, failed). */
  counts: Record<TagStatus, number>;
  /** Faces per outcome (added, named, present, conflict, skipped, not_rewritable). */
  faces: Record<FaceOutcome, number>;
  conflicts: TagConflict[];
  seconds: number;
  photosPerSecond: number;
  interrupted: boolean;
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Counts a run's photos as they finish (in any order). */
export class TagSummary {
  readonly #started = performance.now();
  readonly #counts = zeros(Object.values(TagStatus));
  readonly #faces = zeros(Object.values(FaceOutcome));
  readonly #conflicts: TagConflict[] = [];
  #photos = 0;

  add(photo: TaggedPhoto): void {
    this.#photos++;
    this.#counts[photo.status]++;
    for (const f of photo.faces) {
      this.#faces[f.outcome]++;
      if (f.outcome === FaceOutcome.Conflict && f.name !== null && f.existingName !== undefined)
        this.#conflicts.push({ path: photo.path, found: f.name, tagged: f.existingName });
    }
  }

  get failed(): number {
    return this.#counts[TagStatus.Failed];
  }

  summary(interrupted: boolean): TagRunSummary {
    const seconds = (performance.now() - this.#started) / 1000;
    return {
      photos: this.#photos,
      counts: { ...this.#counts },
      faces: { ...this.#faces },
      conflicts: [...this.#conflicts],
      seconds: Math.round(seconds * 100) / 100,
      photosPerSecond: seconds > 0 ? Math.round((this.#photos / seconds) * 100) / 100 : 0,
      interrupted,
    };
  }
}

/** The summary as text lines. */
export const formatTagSummary = (s: TagRunSummary, dryRun: boolean): string[] => {
  const c = s.counts;
  const f = s.faces;
  return [
    `${s.photos} photos in ${s.seconds.toFixed(1)} s (${s.photosPerSecond.toFixed(1)} photos/s): ` +
      (dryRun ? `would write ${c.would_write}` : `written ${c.written}`) +
      `, unchanged ${c.unchanged}, nobody to tag ${c.nothing_to_tag}, failed ${c.failed}`,
    `faces: ${f.added} added, ${f.named} named, ${f.present} already tagged, ${f.conflict} conflicts, ` +
      `${f.skipped} unknown skipped, ${f.not_rewritable} not rewritable`,
    ...s.conflicts.map(
      (x) =>
        `conflict: ${x.path}: we found ${x.found} where a region is tagged "${x.tagged}" (left as it was)`,
    ),
  ];
};

const OUTCOME_TEXT: Record<FaceOutcome, (who: string, existing?: string) => string> = {
  added: (who) => `${who} added`,
  named: (who) => `${who} named`,
  present: (who) => `${who} already tagged`,
  conflict: (who, existing) => `${who}: conflict, tagged "${existing}"`,
  not_rewritable: (who) => `${who}: region not rewritable`,
  skipped: (who) => `${who} skipped`,
};

/** One photo's line of text. */
export const describeTagged = (p: TaggedPhoto): string => {
  const faces = p.faces
    .filter((f) => f.name !== null || f.outcome !== FaceOutcome.Skipped)
    .map((f) => OUTCOME_TEXT[f.outcome](f.name ?? 'unknown face', f.existingName));
  const list = faces.length ? ` (${faces.join(', ')})` : '';
  switch (p.status) {
    case TagStatus.Written:
      return `${p.path}: written ${p.target}${list}${p.backup ? `, backup ${p.backup}` : ''}`;
    case TagStatus.WouldWrite:
      return `${p.path}: would write ${p.target}${list}`;
    case TagStatus.Unchanged:
      return `${p.path}: unchanged${list}`;
    case TagStatus.NothingToTag:
      return `${p.path}: nobody to tag`;
    case TagStatus.Failed:
      return `${p.path}: ${p.code}: ${p.reason}`;
  }
};
