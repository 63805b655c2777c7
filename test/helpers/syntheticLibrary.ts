import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { Library } from '../../core/library/Library.js';
import type { Face, FivePoints } from '../../core/types.js';
import { randomUnitVector, seededRng } from './random.js';

/** The analysis namespace the synthetic photos are stored under. */
export const SYNTHETIC_NS = 'synthetic';

const face = (rng: () => number): Face => ({
  box: { x1: 100, y1: 100, x2: 200, y2: 220 },
  score: 0.9,
  points: [0, 1, 2, 3, 4].map((i) => ({ x: 110 + i * 10, y: 130 + i * 5 })) as unknown as FivePoints,
  roll: 0,
  quality: 0.8,
  embedding: randomUnitVector(rng),
  descriptor: randomUnitVector(rng, 128),
});

/** Adds `photos` synthetic photos of one face each (about 2.7 KB a photo) to the library at `path`. */
export const fillLibrary = (path: string, photos: number, seed = 1): void => {
  const rng = seededRng(seed);
  const library = Library.open(path);
  try {
    for (let i = 0; i < photos; i++)
      library.saveAnalysis(
        { sha256: (seed * 1_000_000 + i).toString(16).padStart(64, '0'), size: 1000 + i },
        SYNTHETIC_NS,
        {
          width: 1000,
          height: 800,
          rejected: 0,
          faces: [face(rng)],
        },
      );
  } finally {
    library.close();
  }
};

/** The file's page size, from its SQLite header. */
const pageSize = (path: string): number => {
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  const size = header.readUInt16BE(16);
  return size === 1 ? 65536 : size;
};

/** Overwrites the pages from `from` (0-based, page 0 holds the header and the schema) up to `to` with garbage. */
export const corruptPages = (path: string, from: number, to: number): void => {
  const size = pageSize(path);
  const pages = Math.floor(statSync(path).size / size);
  const garbage = Buffer.alloc(size);
  const rng = seededRng(7);
  const fd = openSync(path, 'r+');
  try {
    for (let p = from; p < Math.min(to, pages); p++) {
      for (let i = 0; i < size; i++) garbage[i] = Math.floor(rng() * 256);
      writeSync(fd, garbage, 0, size, p * size);
    }
  } finally {
    closeSync(fd);
  }
};
