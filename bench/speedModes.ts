/**
 * Embed modes side by side (part of `npm run bench:speed`): the same photos through an
 * EnginePool per mode (one worker per lane, as `sort` runs), in interleaved rounds so that a
 * neighbour slowing the machine hits every mode alike; plus the identity stage alone per face
 * (FaceEngine.embedAt at known points, one thread).
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { EngineConfigInput } from '../core/config.js';
import { FaceEngine } from '../core/FaceEngine.js';
import { decodeImage } from '../core/image/decode.js';
import { EnginePool } from '../core/runtime/EnginePool.js';
import type { FivePoints } from '../core/types.js';
import { median } from './median.js';

export interface EmbedModeSpec {
  label: string;
  embed: NonNullable<EngineConfigInput['embed']>;
}

export const EMBED_MODES: EmbedModeSpec[] = [
  { label: 'fast (first embedder)', embed: { mode: 'fast', flip: 'none' } },
  { label: 'fast + flip', embed: { mode: 'fast', flip: 'embedding' } },
  { label: 'fused', embed: { mode: 'fused', flip: 'none' } },
  { label: 'fused + flip second', embed: { mode: 'fused', flip: 'descriptor' } },
  { label: 'fused + flip both', embed: { mode: 'fused', flip: 'both' } },
];

export interface EmbedModeSpeed {
  label: string;
  embed: EmbedModeSpec['embed'];
  photos: number;
  faces: number;
  /** Median over rounds. */
  photosPerSecond: number;
  cpuMsPerPhoto: number;
  rounds: { photosPerSecond: number; cpuMsPerPhoto: number }[];
  /** Identity stage alone, one thread: engine ms per face. */
  identityMsPerFace: number;
}

const cpuSeconds = (): number => {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
};

export const runEmbedModes = async (
  files: readonly string[],
  options: { lanes?: number; rounds: number; log: (l: string) => void },
): Promise<EmbedModeSpeed[]> => {
  const lanes = options.lanes ?? availableParallelism();
  const photos = await Promise.all(files.map((f) => readFile(f)));
  const runs = new Map<string, { photosPerSecond: number; cpuMsPerPhoto: number }[]>(
    EMBED_MODES.map((m) => [m.label, []]),
  );
  let faces = 0;
  for (let r = 0; r < options.rounds; r++) {
    for (const m of EMBED_MODES) {
      // One pool at a time keeps memory flat; its start-up and a warm-up stay outside the timing.
      const pool = await EnginePool.create(lanes, { config: { embed: m.embed } });
      try {
        await Promise.all(photos.slice(0, 2 * lanes).map((p) => pool.analyze(p)));
        const c0 = cpuSeconds();
        const t0 = performance.now();
        const results = await Promise.all(photos.map((p) => pool.analyze(p)));
        const seconds = (performance.now() - t0) / 1000;
        faces = results.reduce((s, a) => s + a.faces.length, 0);
        const run = {
          photosPerSecond: photos.length / seconds,
          cpuMsPerPhoto: (1000 * (cpuSeconds() - c0)) / photos.length,
        };
        runs.get(m.label)!.push(run);
        options.log(`embed modes round ${r + 1}: ${m.label} ${run.photosPerSecond.toFixed(2)} photos/s`);
      } finally {
        await pool.close();
      }
    }
  }

  // The identity stage alone: faces found once (fast mode), then embedded at their points per mode.
  const finder = await FaceEngine.create({ config: { embed: { mode: 'fast' } } });
  const decoded = [];
  const points: FivePoints[][] = [];
  try {
    for (const p of photos) {
      decoded.push(
        await decodeImage(p, {
          maxSide: finder.config.decode.analysisMaxSide,
          maxPixels: finder.config.decode.maxPixels,
        }),
      );
      points.push((await finder.analyze(p)).faces.map((f) => f.points));
    }
  } finally {
    await finder.close();
  }
  const faceCount = points.reduce((s, p) => s + p.length, 0);
  const identityMs = new Map<string, number>();
  for (const m of EMBED_MODES) {
    const engine = await FaceEngine.create({ config: { embed: m.embed, runtime: { intraOpThreads: 1 } } });
    try {
      await engine.embedAt(decoded[0]!, points[0]!); // warm-up
      const t0 = performance.now();
      for (let i = 0; i < decoded.length; i++) await engine.embedAt(decoded[i]!, points[i]!);
      identityMs.set(m.label, (performance.now() - t0) / Math.max(1, faceCount));
    } finally {
      await engine.close();
    }
  }

  return EMBED_MODES.map((m) => {
    const r = runs.get(m.label)!;
    return {
      label: m.label,
      embed: m.embed,
      photos: photos.length,
      faces,
      photosPerSecond: median(r.map((x) => x.photosPerSecond)),
      cpuMsPerPhoto: median(r.map((x) => x.cpuMsPerPhoto)),
      rounds: r,
      identityMsPerFace: identityMs.get(m.label)!,
    };
  });
};
