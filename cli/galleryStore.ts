import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GalleryError } from '../core/errors.js';
import { type Gallery, parseGallery, serializeGallery } from '../core/match/gallery.js';
import { isValidPersonName } from '../core/match/personName.js';

export const validatePerson = (person: string): string => {
  if (!isValidPersonName(person)) {
    throw new GalleryError(
      `invalid person name "${person}": use letters, digits, spaces, '.', '_' or '-' (at most 64 characters)`,
    );
  }
  return person;
};

export const galleryPath = (dir: string, person: string): string =>
  join(dir, `${validatePerson(person)}.gallery.json`);

export const readGallery = async (dir: string, person: string, modelSetId: string): Promise<Gallery> => {
  const path = galleryPath(dir, person);
  let json: string;
  try {
    json = await readFile(path, 'utf8');
  } catch (cause) {
    throw new GalleryError(
      `no gallery for "${person}" at ${path}; run "mespotter enroll --person ${person}" first`,
      {
        cause,
      },
    );
  }
  return parseGallery(json, modelSetId, path);
};

export const writeGallery = async (dir: string, gallery: Gallery): Promise<string> => {
  await mkdir(dir, { recursive: true });
  const path = galleryPath(dir, gallery.person);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, serializeGallery(gallery));
  await rename(tmp, path);
  return path;
};
