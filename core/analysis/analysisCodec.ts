import { z } from 'zod';
import { DESCRIPTOR_DIM } from '../models/descriptorDim.js';
import type { Face, FivePoints, ImageAnalysis } from '../types.js';

/**
 * JSON form of an ImageAnalysis for the faces index: embeddings and descriptors as base64
 * little-endian float32. A face's descriptor is optional (fast mode, older entries).
 */
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
      descriptor: z.string().optional(),
    }),
  ),
});

const toBase64 = (v: Float32Array): string =>
  Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

const fromBase64 = (s: string): Float32Array => {
  const buf = Buffer.from(s, 'base64');
  const v = new Float32Array(buf.byteLength / 4);
  new Uint8Array(v.buffer).set(buf);
  return v;
};

export const encodeAnalysis = (a: ImageAnalysis): string =>
  JSON.stringify({
    width: a.width,
    height: a.height,
    rejected: a.rejected,
    faces: a.faces.map(({ descriptor, ...f }) => ({
      ...f,
      embedding: toBase64(f.embedding),
      ...(descriptor ? { descriptor: toBase64(descriptor) } : {}),
    })),
  });

/**
 * Returns undefined for anything unreadable: a bad cache entry is a miss, not an error. An
 * embedding must be whole float32 values; a descriptor exactly the descriptor model's 128.
 */
export const decodeAnalysis = (json: string): ImageAnalysis | undefined => {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = analysisSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const bad = parsed.data.faces.some(
    (f) =>
      Buffer.byteLength(f.embedding, 'base64') % 4 !== 0 ||
      (f.descriptor !== undefined && Buffer.byteLength(f.descriptor, 'base64') !== 4 * DESCRIPTOR_DIM),
  );
  if (bad) return undefined;
  return {
    ...parsed.data,
    faces: parsed.data.faces.map(({ descriptor, ...f }): Face => {
      const face: Face = {
        ...f,
        points: f.points as unknown as FivePoints,
        embedding: fromBase64(f.embedding),
      };
      if (descriptor !== undefined) face.descriptor = fromBase64(descriptor);
      return face;
    }),
  };
};
