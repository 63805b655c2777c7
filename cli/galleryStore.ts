import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GalleryError } from '../core/errors.js';
import { checkOutputPath, type OutputFileOptions, writeOutputFile } from '../core/fs/writeOutputFile.js';
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

/** Whether a file starts as `serializeGallery` writes the gallery of `person`. */
const isGalleryHead =
  (person: string) =>
  (head: string): boolean => {
    const m = /^\{\s*"version": \d+,\s*"person": ("(?:[^"\\]|\\.)*"),/.exec(head);
    return m !== null && JSON.parse(m[1]!) === person;
  };

const galleryTarget = (person: string, replace: boolean): OutputFileOptions => ({
  force: replace,
  isPrevious: isGalleryHead(person),
  what: `the gallery of ${person}`,
});

/** Refuses DIR/<person>.gallery.json when writeGallery would (checked before a run writes anything). */
export const checkGalleryPath = async (dir: string, person: string, replace: boolean): Promise<void> => {
  await checkOutputPath(galleryPath(dir, person), galleryTarget(person, replace));
};

/**
 * Writes DIR/<person>.gallery.json. `replace` (the default: enroll and teacher update a person's
 * gallery) lets it replace that person's previous gallery file, never anything else: not a symlink,
 * a FIFO, a device, nor a file that is not their gallery.
 */
export const writeGallery = async (
  dir: string,
  gallery: Gallery,
  o: { replace: boolean } = { replace: true },
): Promise<string> => {
  await mkdir(dir, { recursive: true });
  const path = galleryPath(dir, gallery.person);
  await writeOutputFile(path, [serializeGallery(gallery)], galleryTarget(gallery.person, o.replace));
  return path;
};
