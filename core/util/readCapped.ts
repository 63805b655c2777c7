import type { Readable } from 'node:stream';
import { ImageError, ImageErrorCode } from '../errors.js';

/**
 * Reads a stream (an S3 body, say) into memory, refusing more than `maxBytes` as soon as the
 * declared length or the bytes received pass it, so a huge object is never buffered whole.
 */
export const readCapped = async (
  body: Readable | undefined,
  declaredLength: number | undefined,
  maxBytes: number,
  what: string,
): Promise<Buffer> => {
  const tooLarge = (n: number) =>
    new ImageError(ImageErrorCode.TooLarge, `file too large: ${n} bytes exceeds ${maxBytes}`);
  if (declaredLength !== undefined && declaredLength > maxBytes) {
    body?.destroy();
    throw tooLarge(declaredLength);
  }
  if (!body) throw new ImageError(ImageErrorCode.Unreadable, `${what} has no body`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      body.destroy();
      throw tooLarge(total);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
};
