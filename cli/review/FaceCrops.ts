import pLimit from 'p-limit';
import { cropJpeg, decodeImage, encodeJpeg } from '../../core/image/decode.js';
import type { Library } from '../../core/library/Library.js';
import { type PhotoFile, readPhotoFile } from './photoFile.js';

/** A small least-recently-used map. */
class Lru<V> {
  readonly #max: number;
  readonly #map = new Map<string, V>();
  constructor(max: number) {
    this.#max = max;
  }
  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.#map.delete(key);
    this.#map.set(key, v);
    while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }
}

export const CROP_SIDE = 160;
const PHOTO_SIDE = 1600;
const FILE_TTL_MS = 5000;

/**
 * Face crops and whole-photo views, cut on demand from the photo file through core/image/decode
 * (sharp) and kept in memory: crops by face (a face id never changes its box), photos' bytes for a
 * few seconds' worth of neighbouring crops. Two cuts at a time, so a page of a hundred faces does
 * not take every core.
 */
export class FaceCrops {
  readonly #library: Library;
  readonly #maxPixels: number;
  readonly #crops = new Lru<Buffer>(3000);
  readonly #views = new Lru<Buffer>(20);
  readonly #files = new Lru<{ at: number; file: Promise<PhotoFile> }>(8);
  readonly #limit = pLimit(2);

  constructor(library: Library, maxPixels: number) {
    this.#library = library;
    this.#maxPixels = maxPixels;
  }

  /** A photo's file, looked up again after a few seconds (it may be moved back or away meanwhile). */
  #file(photoId: number, sha256: string): Promise<PhotoFile> {
    const key = `${photoId}:${sha256}`;
    const hit = this.#files.get(key);
    if (hit && Date.now() - hit.at < FILE_TTL_MS) return hit.file;
    const file = readPhotoFile(this.#library, photoId, sha256);
    this.#files.set(key, { at: Date.now(), file });
    return file;
  }

  /** The face's crop, or null when its photo is missing. */
  async crop(faceId: number): Promise<Buffer | null> {
    const key = String(faceId);
    const hit = this.#crops.get(key);
    if (hit) return hit;
    const face = this.#library.face(faceId);
    if (!face) return null;
    const sha = this.#sha(face.photoId);
    const file = await this.#file(face.photoId, sha);
    if (file.state !== 'present') return null;
    const jpeg = await this.#limit(() =>
      cropJpeg(file.bytes, face.box, { size: CROP_SIDE, margin: 0.25, maxPixels: this.#maxPixels }),
    );
    this.#crops.set(key, jpeg);
    return jpeg;
  }

  /** The whole photo, upright, long side at most 1600 px, or null when it is missing. */
  async view(photoId: number): Promise<Buffer | null> {
    const sha = this.#sha(photoId);
    const key = `${photoId}:${sha}`;
    const hit = this.#views.get(key);
    if (hit) return hit;
    const file = await this.#file(photoId, sha);
    if (file.state !== 'present') return null;
    const jpeg = await this.#limit(async () => {
      const { image } = await decodeImage(file.bytes, { maxSide: PHOTO_SIDE, maxPixels: this.#maxPixels });
      return (await encodeJpeg(image, { quality: 82 })).jpeg;
    });
    this.#views.set(key, jpeg);
    return jpeg;
  }

  /** Where the photo is now (for its page: present, or moved/vanished), looked up afresh. */
  where(photoId: number): Promise<PhotoFile> {
    const sha = this.#sha(photoId);
    const file = readPhotoFile(this.#library, photoId, sha);
    this.#files.set(`${photoId}:${sha}`, { at: Date.now(), file });
    return file;
  }

  #sha(photoId: number): string {
    return (
      this.#library.db.prepare<{ sha256: string }>('SELECT sha256 FROM photos WHERE id = ?').get(photoId)
        ?.sha256 ?? ''
    );
  }
}
