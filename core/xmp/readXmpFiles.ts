/**
 * What exiftool says about a photo or a sidecar, with the checks that decide whether its XMP can
 * be trusted. exiftool's XMP parser is lenient (a mismatched tag or a bare `&` still reads), so every
 * read runs `-validate`, which reports such damage as a warning.
 */
import { open } from 'node:fs/promises';
import { XmpError, XmpErrorCode } from '../errors.js';
import type { ExifToolSession } from './ExifToolSession.js';
import { type ExifOrientation, toOrientation } from './orientationTransform.js';
import { xmlProblem } from './xmlProblem.js';

/** Structs as structs, raw values (-n), every value a string (JSONQ), group names (-G1). */
const XMP_ARGS = ['-struct', '-G1', '-n', '-api', 'StructFormat=JSONQ', '-validate', '-Warning', '-Error'];

export interface PhotoInfo {
  /** exiftool's FileType (JPEG, PNG, TIFF, WEBP, Extended WEBP, AVIF, ...). */
  fileType: string;
  storedWidth: number;
  storedHeight: number;
  orientation: ExifOrientation;
  /** MD5 of the image data (pixels as stored), when exiftool can compute it for this format. */
  imageHash: string | null;
  /** The embedded XMP tags (keys `XMP-<ns>:<Tag>`), empty when there is none. */
  xmp: Record<string, unknown>;
  /** Why the embedded XMP cannot be trusted, or null. */
  xmpDamage: string | null;
}

const XMP_DAMAGE = /XMP format error|invalid XMP|error reading.*XMP|XMP.*(corrupt|truncated)|extended XMP/i;

export const xmpTagsOf = (tags: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(tags).filter(([k]) => k.startsWith('XMP-') || k.startsWith('XMP:')));

const str = (v: unknown): string | null =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : null;

const tagEnding = (tags: Record<string, unknown>, suffix: string, prefer: string[] = []): unknown => {
  for (const p of prefer) if (tags[p] !== undefined) return tags[p];
  const key = Object.keys(tags).find((k) => k.endsWith(suffix));
  return key === undefined ? undefined : tags[key];
};

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The largest XMP read, sidecar or embedded packet: far above what photo programs write (a packet
 * with hundreds of face regions and a long edit history is well under a megabyte), and small enough
 * that a hostile file costs a moment, not ExifTool's half a minute or more.
 */
export const MAX_XMP_BYTES = 8 * 1024 * 1024;

const tooLarge = (bytes: number): string =>
  `${bytes} bytes, over the ${MAX_XMP_BYTES / 1024 / 1024} MiB an XMP packet may have here`;

/** UTF-16 packets are rare; exiftool's own checks still apply to them. */
const isUtf16 = (bytes: Buffer): boolean =>
  bytes.length >= 2 && ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe));

/**
 * Why an XMP packet cannot be trusted, or null: the one check a sidecar and a photo's embedded
 * packet both get (strict well-formedness, no DOCTYPE, bounded size and depth), so the two tag
 * modes judge the same XMP the same way.
 */
export const xmpPacketProblem = (bytes: Buffer): string | null => {
  if (bytes.length > MAX_XMP_BYTES) return `too large: ${tooLarge(bytes.length)}`;
  const problem = isUtf16(bytes) ? null : xmlProblem(bytes.toString('utf8'));
  return problem ? `not well-formed XML (${problem})` : null;
};

/** The photo's embedded XMP packet exactly as stored (exiftool gives binary values as base64). */
const embeddedPacket = async (session: ExifToolSession, photo: string): Promise<Buffer | null> => {
  const value = (await session.readTags(photo, ['-b', '-XMP:XMP']))['XMP'];
  if (typeof value !== 'string') return null;
  return value.startsWith('base64:') ? Buffer.from(value.slice(7), 'base64') : Buffer.from(value, 'utf8');
};

/** Reads at most MAX_XMP_BYTES (plus one, to tell a file that is larger) of a sidecar. */
const readBounded = async (path: string): Promise<Buffer> => {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(size, MAX_XMP_BYTES + 1));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (size > MAX_XMP_BYTES)
      throw new XmpError(XmpErrorCode.SidecarMalformed, `sidecar too large: ${tooLarge(size)}`);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
};

export const readPhotoInfo = async (
  session: ExifToolSession,
  photo: string,
  options: { hash: boolean },
): Promise<PhotoInfo> => {
  const args = [
    ...XMP_ARGS,
    '-File:FileType',
    '-ImageWidth',
    '-ImageHeight',
    '-EXIF:Orientation',
    ...(options.hash ? ['-api', 'ImageHashType=MD5', '-ImageDataHash'] : []),
    '-XMP:all',
  ];
  let tags: Record<string, unknown>;
  try {
    tags = await session.readTags(photo, args);
  } catch (error) {
    throw new XmpError(XmpErrorCode.PhotoUnreadable, `exiftool cannot read the photo: ${reason(error)}`, {
      cause: error,
    });
  }
  const error = str(tags['ExifTool:Error']);
  const fileType = str(tags['File:FileType']);
  if (error || !fileType) {
    throw new XmpError(
      XmpErrorCode.PhotoUnreadable,
      `exiftool cannot read the photo: ${error ?? 'unknown file type'}`,
    );
  }
  const width = Number(tagEnding(tags, ':ImageWidth', ['File:ImageWidth', 'IFD0:ImageWidth']));
  const height = Number(tagEnding(tags, ':ImageHeight', ['File:ImageHeight', 'IFD0:ImageHeight']));
  if (!(width > 0 && height > 0)) {
    throw new XmpError(XmpErrorCode.PhotoUnreadable, `exiftool finds no image size in this ${fileType} file`);
  }
  const warning = str(tags['ExifTool:Warning']);
  const xmp = xmpTagsOf(tags);
  let xmpDamage = warning && XMP_DAMAGE.test(warning) ? warning : null;
  if (!xmpDamage && Object.keys(xmp).length > 0) {
    const packet = await embeddedPacket(session, photo).catch((error: unknown) => {
      throw new XmpError(XmpErrorCode.PhotoUnreadable, `exiftool cannot read the photo: ${reason(error)}`, {
        cause: error,
      });
    });
    xmpDamage = packet ? xmpPacketProblem(packet) : null;
  }
  return {
    fileType,
    storedWidth: width,
    storedHeight: height,
    // The main image's EXIF orientation, as libvips (and so the engine) applies it; not IFD1's thumbnail.
    orientation: toOrientation(tags['IFD0:Orientation']),
    imageHash: str(tags['File:ImageDataHash']),
    xmp,
    xmpDamage,
  };
};

/** Reads a sidecar's XMP; throws sidecar_malformed unless it is a well-formed XMP file. */
export const readSidecarXmp = async (
  session: ExifToolSession,
  sidecar: string,
): Promise<Record<string, unknown>> => {
  let bytes: Buffer;
  try {
    bytes = await readBounded(sidecar);
  } catch (error) {
    if (error instanceof XmpError) throw error;
    throw new XmpError(XmpErrorCode.SidecarUnreadable, `cannot read the sidecar: ${reason(error)}`, {
      cause: error,
    });
  }
  // Checked before exiftool parses it: a huge or deeply nested file is refused at once.
  const problem = xmpPacketProblem(bytes);
  if (problem) throw new XmpError(XmpErrorCode.SidecarMalformed, `malformed sidecar: ${problem}`);
  let tags: Record<string, unknown>;
  try {
    tags = await session.readTags(sidecar, [...XMP_ARGS, '-File:FileType', '-XMP:all']);
  } catch (error) {
    throw new XmpError(XmpErrorCode.SidecarUnreadable, `cannot read the sidecar: ${reason(error)}`, {
      cause: error,
    });
  }
  const error = str(tags['ExifTool:Error']);
  if (error) throw new XmpError(XmpErrorCode.SidecarMalformed, `malformed sidecar: ${error}`);
  const fileType = str(tags['File:FileType']);
  if (fileType !== 'XMP') {
    throw new XmpError(
      XmpErrorCode.SidecarMalformed,
      `malformed sidecar: not an XMP packet (exiftool reads it as ${fileType ?? 'an unknown type'})`,
    );
  }
  const warning = str(tags['ExifTool:Warning']);
  if (warning && (XMP_DAMAGE.test(warning) || /wrong extension/i.test(warning))) {
    throw new XmpError(XmpErrorCode.SidecarMalformed, `malformed sidecar: ${warning}`);
  }
  return xmpTagsOf(tags);
};
