import { z } from 'zod';
import { ModelError } from '../errors.js';

/**
 * Reads tfjs "weights manifest" models (a JSON list of named tensors + one or more .bin shards),
 * the format @vladmandic/face-api ships, into dequantised float32 tensors. Only what the build
 * needs: float32 tensors, optionally stored quantised as uint8/uint16 (value = q * scale + min) or
 * float16.
 */
const weightSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.literal('float32'),
  quantization: z
    .object({
      dtype: z.enum(['uint8', 'uint16', 'float16']),
      scale: z.number().optional(),
      min: z.number().optional(),
    })
    .optional(),
});
const manifestSchema = z.array(z.object({ paths: z.array(z.string()), weights: z.array(weightSchema) }));

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

const BYTES = { uint8: 1, uint16: 2, float16: 2 } as const;

/** IEEE half to float (tfjs writes float16-quantised weights this way). */
const halfToFloat = (h: number): number => {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
};

/**
 * `manifest` is the parsed weights-manifest JSON; `shards` the bytes of each path it lists, in
 * order (tfjs concatenates the shards of a group before slicing).
 */
export const readTfjsWeights = (
  manifest: unknown,
  shards: readonly Uint8Array[],
): Map<string, NamedTensor> => {
  const parsed = manifestSchema.safeParse(manifest);
  if (!parsed.success) throw new ModelError(`Invalid tfjs weights manifest: ${parsed.error.message}`);
  const out = new Map<string, NamedTensor>();
  let shard = 0;
  for (const group of parsed.data) {
    const parts = shards.slice(shard, shard + group.paths.length);
    shard += group.paths.length;
    if (parts.length !== group.paths.length)
      throw new ModelError(`tfjs weights: ${group.paths.length} shard(s) listed, ${parts.length} given`);
    const total = parts.reduce((s, p) => s + p.byteLength, 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.byteLength;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      const size = n * (q ? BYTES[q.dtype] : 4);
      if (offset + size > bytes.byteLength)
        throw new ModelError(`tfjs weights: ${w.name} runs past the end of the weights file`);
      const data = new Float32Array(n);
      if (!q) {
        for (let i = 0; i < n; i++) data[i] = view.getFloat32(offset + 4 * i, true);
      } else if (q.dtype === 'float16') {
        for (let i = 0; i < n; i++) data[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
      } else {
        if (q.scale === undefined || q.min === undefined)
          throw new ModelError(`tfjs weights: ${w.name} is ${q.dtype}-quantised without scale and min`);
        const { scale, min } = q;
        if (q.dtype === 'uint8') for (let i = 0; i < n; i++) data[i] = bytes[offset + i]! * scale + min;
        else for (let i = 0; i < n; i++) data[i] = view.getUint16(offset + 2 * i, true) * scale + min;
      }
      out.set(w.name, { shape: w.shape, data });
      offset += size;
    }
    if (offset !== bytes.byteLength)
      throw new ModelError(`tfjs weights: ${bytes.byteLength - offset} unread byte(s) after the last tensor`);
  }
  return out;
};
