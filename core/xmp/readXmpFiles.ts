/**
 * What exiftool says about a photo or a sidecar, with the checks that decide whether its XMP can
 * be trusted. exiftool's XMP parser is lenient (a mismatched tag or a bare `&` still reads), so every
 * read runs `-validate`, which reports such damage as a warning.
 */
import { readFile } from 'node:fs/promises';
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
  return {
    fileType,
    storedWidth: width,
    storedHeight: height,
    // The main image's EXIF orientation, as libvips (and so the engine) applies it; not IFD1's thumbnail.
    orientation: toOrientation(tags['IFD0:Orientation']),
    imageHash: str(tags['File:ImageDataHash']),
    xmp: xmpTagsOf(tags),
    xmpDamage: warning && XMP_DAMAGE.test(warning) ? warning : null,
  };
};

/** Reads a sidecar's XMP; throws sidecar_malformed unless it is a well-formed XMP file. */
export const readSidecarXmp = async (
  session: ExifToolSession,
  sidecar: string,
): Promise<Record<string, unknown>> => {
  let bytes: Buffer;
  try {
    bytes = await readFile(sidecar);
  } catch (error) {
    throw new XmpError(XmpErrorCode.SidecarUnreadable, `cannot read the sidecar: ${reason(error)}`, {
      cause: error,
    });
  }
  // UTF-16 packets are rare; exiftool's own checks below still apply to them.
  const utf16 =
    bytes.length >= 2 &&
    ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe));
  const problem = utf16 ? null : xmlProblem(bytes.toString('utf8'));
  if (problem)
    throw new XmpError(XmpErrorCode.SidecarMalformed, `malformed sidecar: not well-formed XML (${problem})`);
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
