import { LibraryUnusableError } from '../../core/library/LibraryUnusableError.js';

/**
 * A run's stop when the library file itself fails under it (disk full, corrupt, locked): no other
 * photo can be stored, so the run takes no new photo, lets those in flight end, and reports the one
 * failure (exit 2) instead of a line per photo. index, sort, who and tag share it.
 */
export class LibraryStop {
  #error: LibraryUnusableError | undefined;

  /** True, and remembered, when `error` is the library's own failure; false for a photo's. */
  caught(error: unknown): boolean {
    if (!(error instanceof LibraryUnusableError)) return false;
    this.#error ??= error;
    return true;
  }

  get stopped(): boolean {
    return this.#error !== undefined;
  }

  /** Throws the library's failure, if there was one. */
  rethrow(): void {
    if (this.#error) throw this.#error;
  }
}
