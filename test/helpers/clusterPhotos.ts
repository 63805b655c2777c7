import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Box } from '../../core/types.js';
import { cropAround, PERSON_BOX, pasteOnCanvas, samplePath } from './imageFixtures.js';

/** The woman on the right of sample1 (measured on the 1920x1280 photo); she is also in sample3. */
export const RIGHT_BOX: Box = { x1: 1436, y1: 203, x2: 1690, y2: 447 };

const VARIANTS = [
  { margin: 0.8, size: 300 },
  { margin: 1.2, size: 420, brightness: 1.1 },
  { margin: 1.6, size: 260, brightness: 0.9 },
] as const;

/**
 * A folder to cluster: the six face-api sample photos (group photos of different women) plus,
 * for two women of sample1, three more photos each (their face cropped at several margins,
 * sizes and brightnesses, pasted on a plain canvas at different places): `mid-N.jpg` for the
 * middle woman, `right-N.jpg` for the one on the right. Each of the two is then in 4+ photos,
 * everyone else in one or two.
 */
export const writeClusterPhotos = async (dir: string, o: { only?: 'mid' | 'right' } = {}): Promise<void> => {
  await mkdir(dir, { recursive: true });
  for (const n of [1, 2, 3, 4, 5, 6]) await copyFile(samplePath(n), join(dir, `sample${n}.jpg`));
  for (const [i, v] of VARIANTS.entries())
    for (const [name, box] of [
      ['mid', PERSON_BOX],
      ['right', RIGHT_BOX],
    ] as const) {
      if (o.only && o.only !== name) continue;
      const face = await cropAround(samplePath(1), box, v);
      const photo = await pasteOnCanvas(face, {
        width: 900,
        height: 700,
        left: 100 + i * 80,
        top: 60 + i * 30,
      });
      await writeFile(join(dir, `${name}-${i}.jpg`), photo);
    }
};

/** One more photo of the middle woman, for incremental runs. */
export const writeAnotherMid = async (path: string): Promise<void> => {
  const face = await cropAround(samplePath(1), PERSON_BOX, { margin: 1, size: 340, brightness: 1.05 });
  await writeFile(path, await pasteOnCanvas(face, { width: 1000, height: 800, left: 400, top: 200 }));
};
