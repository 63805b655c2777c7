import type { Library, StoredFace } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import { libraryFingerprint } from '../../core/library/libraryFingerprint.js';
import { type EngineIdentity, engineNamespace } from '../engineOptions.js';
import { type LoadedPeople, loadPeople } from '../people/loadPeople.js';

/**
 * What the review pages read, cached until the library changes: everyone's model (the same one
 * `sort` decides with, learning step included) and every face of the current namespace. A change
 * made by another process (a `sort`, a second review server, the CLI) shows on the next request,
 * because the cache is keyed by the library's fingerprint, not by this server's own edits.
 */
export class ReviewState {
  readonly library: Library;
  readonly edits: LibraryEdits;
  readonly engine: EngineIdentity;
  readonly ns: string;
  #people?: { key: string; value: LoadedPeople };
  #faces?: { key: string; value: Map<number, StoredFace> };

  constructor(library: Library, engine: EngineIdentity) {
    this.library = library;
    this.edits = new LibraryEdits(library);
    this.engine = engine;
    this.ns = engineNamespace(engine);
  }

  async people(): Promise<LoadedPeople> {
    const key = libraryFingerprint(this.library);
    if (this.#people?.key !== key)
      this.#people = {
        key,
        value: await loadPeople(this.library, this.engine, { person: [] }, { searchRequired: false }),
      };
    return this.#people.value;
  }

  /** Every face of the namespace by id. */
  faces(): Map<number, StoredFace> {
    const row = this.library.db
      .prepare<{ n: number; m: number | null }>('SELECT COUNT(*) AS n, MAX(id) AS m FROM faces')
      .get();
    const key = `${row?.n}:${row?.m}`;
    if (this.#faces?.key !== key)
      this.#faces = { key, value: new Map(this.library.facesInNamespace(this.ns).map((f) => [f.id, f])) };
    return this.#faces.value;
  }
}
