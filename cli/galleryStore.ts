import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GalleryError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs/writeFileAtomic.js';
import { EMBEDDING_DIM } from '../core/match/embeddingDim.js';
import { type Gallery, parseGallery, serializeGallery } from '../core/match/gallery.js';
import { isClusterName, personNameProblem } from '../core/match/personName.js';

export const validatePerson = (person: string): string => {
  const problem = personNameProblem(person);
  if (problem)
    throw new GalleryError(
      isClusterName(person) ? `${problem} (or "mespotter cluster name ${person} NAME")` : problem,
    );
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
  const gallery = parseGallery(json, modelSetId, path, EMBEDDING_DIM);
  if (gallery.person !== person) {
    throw new GalleryError(
      `${path} is the gallery of "${gallery.person}", not "${person}"; rename it or re-enrol "${person}"`,
    );
  }
  return gallery;
};

export const writeGallery = async (dir: string, gallery: Gallery): Promise<string> => {
  await mkdir(dir, { recursive: true });
  const path = galleryPath(dir, gallery.person);
  await writeFileAtomic(path, serializeGallery(gallery));
  return path;
};
