/** Binary PGM/PPM (P5/P6), which libvips in sharp's prebuilt binaries does not read; research sets use it. */
export interface PnmImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

export const isPnm = (bytes: Uint8Array): boolean =>
  bytes.length > 2 &&
  bytes[0] === 0x50 &&
  (bytes[1] === 0x35 || bytes[1] === 0x36) &&
  /\s/.test(String.fromCharCode(bytes[2]!));

/** Parses a P5/P6 file; returns undefined when the header or size is inconsistent. */
export const parsePnm = (bytes: Uint8Array): PnmImage | undefined => {
  const fields: number[] = [];
  let i = 2;
  while (fields.length < 3 && i < bytes.length) {
    const c = bytes[i]!;
    if (c === 0x23) {
      // Comment to end of line.
      while (i < bytes.length && bytes[i] !== 0x0a) i++;
    } else if (c >= 0x30 && c <= 0x39) {
      let v = 0;
      while (i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) v = v * 10 + (bytes[i++]! - 0x30);
      fields.push(v);
      continue;
    }
    i++;
  }
  const [width, height, maxVal] = fields;
  if (!width || !height || !maxVal || maxVal > 255) return undefined;
  i++; // the single whitespace after maxval
  const channels = bytes[1] === 0x35 ? 1 : 3;
  const size = width * height * channels;
  if (bytes.length - i < size) return undefined;
  const data = bytes.slice(i, i + size);
  if (maxVal !== 255) for (let k = 0; k < data.length; k++) data[k] = Math.round((data[k]! * 255) / maxVal);
  return { data, width, height, channels };
};
