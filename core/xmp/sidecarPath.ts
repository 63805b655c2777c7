import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { PHOTO_EXTENSIONS } from '../photoExtensions.js';

/**
 * Sidecar naming: `photo.xmp` (digiKam's "commercial programs" setting, Lightroom, darktable) or
 * `photo.jpg.xmp` (digiKam's default, darktable's own).
 */
export const SidecarName = {
  Stem: 'photo.xmp',
  Full: 'photo.jpg.xmp',
} as const;
export type SidecarName = (typeof SidecarName)[keyof typeof SidecarName];

export const sidecarPathFor = (photo: string, name: SidecarName): string => {
  if (name === SidecarName.Full) return `${photo}.xmp`;
  const ext = extname(photo);
  return join(dirname(photo), `${basename(photo, ext)}.xmp`);
};

const fileId = async (path: string): Promise<string | null> => {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
};

/**
 * Other photos that would share `photo.xmp` with this one (`a.jpg` and `a.png` both map to
 * `a.xmp`): writing one person's regions into the other photo's sidecar would be wrong.
 */
export const stemSiblings = async (photo: string): Promise<string[]> => {
  const ext = extname(photo);
  const stem = join(dirname(photo), basename(photo, ext));
  const candidates = new Set<string>();
  for (const e of PHOTO_EXTENSIONS) {
    for (const variant of [e, e.toUpperCase()]) if (variant !== ext) candidates.add(`${stem}${variant}`);
  }
  // On a case-insensitive file system `a.JPG` is `a.jpg` itself: compare identities, not names.
  const self = await fileId(photo);
  const found: string[] = [];
  for (const c of candidates) {
    const id = await fileId(c);
    if (id !== null && id !== self) found.push(c);
  }
  return found;
};
