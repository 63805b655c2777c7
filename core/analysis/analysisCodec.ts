import { z } from 'zod';
import type { FivePoints, ImageAnalysis } from '../types.js';

/** JSON form of an ImageAnalysis for the faces index: embeddings as base64 little-endian float32. */
const pointSchema = z.object({ x: z.number(), y: z.number() });
const analysisSchema = z.object({
  width: z.number(),
  height: z.number(),
  rejected: z.number(),
  faces: z.array(
    z.object({
      box: z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() }),
      score: z.number(),
      points: z.array(pointSchema).length(5),
      roll: z.number(),
      quality: z.number(),
      embedding: z.string(),
    }),
  ),
});

export const encodeAnalysis = (a: ImageAnalysis): string =>
  JSON.stringify({
    width: a.width,
    height: a.height,
    rejected: a.rejected,
    faces: a.faces.map((f) => ({
      ...f,
      embedding: Buffer.from(f.embedding.buffer, f.embedding.byteOffset, f.embedding.byteLength).toString(
        'base64',
      ),
    })),
  });

/** Returns undefined for anything unreadable: a bad cache entry is a miss, not an error. */
export const decodeAnalysis = (json: string): ImageAnalysis | undefined => {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = analysisSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  if (parsed.data.faces.some((f) => Buffer.byteLength(f.embedding, 'base64') % 4 !== 0)) return undefined;
  return {
    ...parsed.data,
    faces: parsed.data.faces.map((f) => {
      const buf = Buffer.from(f.embedding, 'base64');
      const embedding = new Float32Array(buf.byteLength / 4);
      new Uint8Array(embedding.buffer).set(buf);
      return { ...f, points: f.points as unknown as FivePoints, embedding };
    }),
  };
};
