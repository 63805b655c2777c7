import { GalleryError } from '../../core/errors.js';
import { type Gallery, parseGallery } from '../../core/match/gallery.js';
import { GALLERY_FILE, Prefix, referencePerson } from '../shared/keys.js';
import { listObjects } from '../shared/listObjects.js';
import { getObjectText } from '../shared/s3Objects.js';
import { type EnrolledPeople, enrolledPeople } from './EnrolledPeople.js';

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
  #refreshing: Promise<void> | undefined;
  #people: EnrolledPeople | undefined;
  problems: GalleryProblem[] = [];

  constructor(bucket: string, modelSetId: string, ttlMs: number) {
    this.#bucket = bucket;
    this.#modelSetId = modelSetId;
    this.#ttlMs = ttlMs;
  }

  async galleries(now = Date.now()): Promise<Gallery[]> {
    if (now - this.#checkedAt >= this.#ttlMs) {
      // The records of a batch run at once: they share one refresh, not one listing each.
      this.#refreshing ??= this.#refresh()
        .then(() => {
          this.#checkedAt = now;
        })
        .finally(() => {
          this.#refreshing = undefined;
        });
      await this.#refreshing;
    }
    return [...this.#entries.values()].map((e) => e.gallery).sort((a, b) => (a.person < b.person ? -1 : 1));
  }

  /** Everyone enrolled as the decision core's people; the matrix is rebuilt only when a gallery changed. */
  async people(now = Date.now()): Promise<EnrolledPeople> {
    const list = await this.galleries(now);
    this.#people ??= enrolledPeople(list, this.#modelSetId);
    return this.#people;
  }

  async #refresh(): Promise<void> {
    const listed = new Map<string, string>();
    for await (const o of listObjects(this.#bucket, Prefix.Reference)) {
      const person = o.Key ? referencePerson(o.Key) : undefined;
      if (person && o.Key === `${Prefix.Reference}${person}/${GALLERY_FILE}`)
        listed.set(person, o.ETag ?? '');
    }
    const problems: GalleryProblem[] = [];
    for (const person of this.#entries.keys())
      if (!listed.has(person)) {
        this.#entries.delete(person);
        this.#people = undefined;
      }
    for (const [person, etag] of listed) {
      if (this.#entries.get(person)?.etag === etag) continue;
      const key = `${Prefix.Reference}${person}/${GALLERY_FILE}`;
      const object = await getObjectText(this.#bucket, key);
      if (!object) continue;
      this.#people = undefined;
      try {
        const gallery = parseGallery(object.text, this.#modelSetId, `s3://${this.#bucket}/${key}`);
        // The folder names the person (and their matches/ prefix); a copied gallery of someone else is refused.
        if (gallery.person !== person)
          throw new GalleryError(
            `s3://${this.#bucket}/${key} is the gallery of "${gallery.person}", not ${person}`,
          );
        this.#entries.set(person, { etag: object.etag, gallery });
      } catch (error) {
        // A gallery from other models or a hand-edited one: search the others, report this one.
        this.#entries.delete(person);
        problems.push({ person, reason: (error as Error).message });
      }
    }
    this.problems = problems;
  }
}
