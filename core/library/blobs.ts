/** Float32 vectors as little-endian BLOBs (SQLite) and back; the copy makes the result aligned. */
export const floatsToBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

export const blobToFloats = (blob: Uint8Array): Float32Array => {
  const out = new Float32Array(blob.byteLength >> 2);
  new Uint8Array(out.buffer).set(blob.subarray(0, out.length * 4));
  return out;
};
