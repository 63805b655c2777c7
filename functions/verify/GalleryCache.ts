import { type Gallery, parseGallery } from '../../core/match/gallery.js';
import { GALLERY_FILE, Prefix, referencePerson } from '../shared/keys.js';
import { listObjects } from '../shared/listObjects.js';
import { getObjectText } from '../shared/s3Objects.js';

interface Entry {
  etag: string;
  gallery: Gallery;
}

export interface GalleryProblem {
  person: string;
  reason: string;
}

/**
 * The enrolled people, kept for the life of the container. At most every `ttlMs` it lists
 * reference/ (one call returns every gallery's ETag) and downloads only galleries whose ETag
 * changed; people whose gallery disappeared are dropped.
 */
export class GalleryCache {
  readonly #bucket: string;
  readonly #modelSetId: string;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, Entry>();
  #checkedAt = Number.NEGATIVE_INFINITY;
  problems: GalleryProblem[] = [];

  constructor(bucket: string, modelSetId: string, ttlMs: number) {
    this.#bucket = bucket;
    this.#modelSetId = modelSetId;
    this.#ttlMs = ttlMs;
  }

  async galleries(now = Date.now()): Promise<Gallery[]> {
    if (now - this.#checkedAt >= this.#ttlMs) {
      await this.#refresh();
      this.#checkedAt = now;
    }
    return [...this.#entries.values()].map((e) => e.gallery).sort((a, b) => (a.person < b.person ? -1 : 1));
  }

  async #refresh(): Promise<void> {
    const listed = new Map<string, string>();
    for await (const o of listObjects(this.#bucket, Prefix.Reference)) {
      const person = o.Key ? referencePerson(o.Key) : undefined;
      if (person && o.Key === `${Prefix.Reference}${person}/${GALLERY_FILE}`)
        listed.set(person, o.ETag ?? '');
    }
    const problems: GalleryProblem[] = [];
    for (const person of this.#entries.keys()) if (!listed.has(person)) this.#entries.delete(person);
    for (const [person, etag] of listed) {
      if (this.#entries.get(person)?.etag === etag) continue;
      const key = `${Prefix.Reference}${person}/${GALLERY_FILE}`;
      const object = await getObjectText(this.#bucket, key);
      if (!object) continue;
      try {
        this.#entries.set(person, {
          etag: object.etag,
          gallery: parseGallery(object.text, this.#modelSetId, `s3://${this.#bucket}/${key}`),
        });
      } catch (error) {
        // A gallery from other models or a hand-edited one: search the others, report this one.
        this.#entries.delete(person);
        problems.push({ person, reason: (error as Error).message });
      }
    }
    this.problems = problems;
  }
}
