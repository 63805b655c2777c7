import { decodeAnalysis, encodeAnalysis } from '../../core/analysis/analysisCodec.js';
import type { FacesIndex } from '../../core/analysis/FacesIndex.js';
import type { ImageAnalysis } from '../../core/types.js';
import { Prefix } from './keys.js';
import { getObjectText, putText } from './s3Objects.js';

/**
 * The faces index in the bucket: faces/<namespace>/<sha256[0:2]>/<sha256>.json, so a photo is
 * analysed once whoever is searched, and never reused across model sets or settings.
 */
export class S3FacesIndex implements FacesIndex {
  readonly #bucket: string;
  readonly #namespace: string;

  constructor(bucket: string, namespace: string) {
    this.#bucket = bucket;
    this.#namespace = namespace;
  }

  key(sha256: string): string {
    return `${Prefix.Faces}${this.#namespace}/${sha256.slice(0, 2)}/${sha256}.json`;
  }

  /** Any failure to read is a miss: the photo is analysed again rather than failed. */
  async get(sha256: string): Promise<ImageAnalysis | undefined> {
    const hit = await getObjectText(this.#bucket, this.key(sha256)).catch(() => undefined);
    return hit ? decodeAnalysis(hit.text) : undefined;
  }

  async put(sha256: string, analysis: ImageAnalysis): Promise<void> {
    await putText(this.#bucket, this.key(sha256), encodeAnalysis(analysis), 'application/json');
  }
}
