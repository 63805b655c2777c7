/**
 * Two people for CLI tests: the middle woman of sample1 (PERSON_BOX) and the woman on its right
 * (RIGHT_BOX, also in sample3), each as three reference crops in face_recognition's known/ layout.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Box } from '../../core/types.js';
import { cropAround, PERSON_BOX, samplePath } from './imageFixtures.js';

/** The woman on the right of sample1 (measured on the 1920x1280 photo); she is also in sample3. */
export const RIGHT_BOX: Box = { x1: 1436, y1: 203, x2: 1690, y2: 447 };

export const CROP_VARIANTS = [
  { margin: 0.8, size: 300 },
  { margin: 1.2, size: 420, brightness: 1.1 },
  { margin: 1.6, size: 260 },
] as const;

/** Writes ROOT/<name>/<i>.jpg crops of the two women; returns ROOT. */
export const writeKnownFolders = async (
  root: string,
  names: { middle: string; right: string } = { middle: 'Mia', right: 'Rose' },
): Promise<string> => {
  for (const [name, box] of [
    [names.middle, PERSON_BOX],
    [names.right, RIGHT_BOX],
  ] as const) {
    await mkdir(join(root, name), { recursive: true });
    for (const [i, v] of CROP_VARIANTS.entries())
      await writeFile(join(root, name, `${i}.jpg`), await cropAround(samplePath(1), box, v));
  }
  return root;
};
