/**
 * Where does FaceEngine.analyze spend its time per photo? Runs the real engine, one photo at a
 * time (single lane, so wall and CPU time line up with the work), and splits its time without
 * copying any of its code (it changes often):
 *   - onnxruntime: every InferenceSession.run is timed through a wrapper on onnxruntime's
 *     prototype; the model is recognised by its input shape (detector 3x240x320, landmarks 1x64x64,
 *     embedder 3x112x112), with calls and batch items per photo;
 *   - decode: the same bytes through decodeImage with the engine's settings, timed apart;
 *   - the rest of analyze: pyramid resizes (sharp), tensor filling and warps, NMS, alignment (JS).
 * Then a few micro-measurements behind the usual suggestions (decode size, per-tile and per-face
 * model costs, tile counts for other minimum face sizes).
 *
 *   node dist/bench/profileEngine.js DIR [--n 20] [--warmup 2]
 *
 * For the multi-core picture (lanes vs worker threads) see bench/profileLanes.ts.
 */
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { ARCFACE_SIZE } from '../core/align/arcfaceTemplate.js';
import { LANDMARK_SIZE } from '../core/align/landmarks.js';
import { resolveEngineConfig } from '../core/config.js';
import { fillDetectorInput } from '../core/detect/detectorInput.js';
import { planPasses } from '../core/detect/tilePlan.js';
import { FaceEngine } from '../core/FaceEngine.js';
import { decodeImage, resizeRgb } from '../core/image/decode.js';

type Model = 'detector' | 'landmarks' | 'embedder' | 'other';
const MODELS: Model[] = ['detector', 'landmarks', 'embedder', 'other'];

interface OrtTally {
  calls: number;
  items: number;
  ms: number;
}

const tally = new Map<Model, OrtTally>();
const resetTally = (): void => {
  for (const m of MODELS) tally.set(m, { calls: 0, items: 0, ms: 0 });
};
resetTally();

const modelOf = (dims: readonly number[]): Model => {
  const key = dims.slice(1).join('x');
  if (key === '3x240x320') return 'detector';
  if (key === `1x${LANDMARK_SIZE}x${LANDMARK_SIZE}`) return 'landmarks';
  if (key === `3x${ARCFACE_SIZE}x${ARCFACE_SIZE}`) return 'embedder';
  return 'other';
};

/** Wraps InferenceSession.prototype.run (onnxruntime-node runs it on the calling thread). */
const instrumentOrt = (): void => {
  // The factory's type hides the class; at run time it is the class whose instances sessions are.
  const proto = (
    ort.InferenceSession as unknown as {
      prototype: {
        run: (this: unknown, feeds: Record<string, ort.Tensor>, ...rest: unknown[]) => Promise<unknown>;
      };
    }
  ).prototype;
  const original = proto.run;
  proto.run = async function (this: unknown, feeds: Record<string, ort.Tensor>, ...rest: unknown[]) {
    const first = Object.values(feeds)[0];
    const dims = first?.dims ?? [];
    const t0 = performance.now();
    try {
      return await original.call(this, feeds, ...rest);
    } finally {
      const t = tally.get(modelOf(dims))!;
      t.calls++;
      t.items += dims[0] ?? 0;
      t.ms += performance.now() - t0;
    }
  };
};

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      n: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '2' },
    },
  });
  const dir = positionals[0];
  if (!dir) throw new Error('usage: profileEngine DIR [--n 20] [--warmup 2]');
  const n = Number(values.n);
  const warmup = Number(values.warmup);
  const files = (await readdir(dir))
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .slice(0, warmup + n)
    .map((f) => path.join(dir, f));
  const photos = await Promise.all(files.map((f) => readFile(f)));

  instrumentOrt();
  const config = resolveEngineConfig();
  const engine = await FaceEngine.create();
  const decodeOptions = { maxSide: config.decode.analysisMaxSide, maxPixels: config.decode.maxPixels };

  const rows: {
    wall: number;
    cpu: number;
    decode: number;
    decodeCpu: number;
    ort: Map<Model, OrtTally>;
    faces: number;
  }[] = [];
  const sizes = new Set<string>();
  try {
    for (let k = 0; k < photos.length; k++) {
      const bytes = photos[k]!;
      resetTally();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const analysis = await engine.analyze(bytes);
      const wall = performance.now() - t0;
      const cpu = cpuMs(c0);
      const ort = new Map([...tally].map(([m, t]) => [m, { ...t }]));
      const c1 = process.cpuUsage();
      const t1 = performance.now();
      const decoded = await decodeImage(bytes, decodeOptions);
      const decode = performance.now() - t1;
      const decodeCpu = cpuMs(c1);
      sizes.add(
        `${decoded.originalWidth}x${decoded.originalHeight}→${decoded.image.width}x${decoded.image.height}`,
      );
      if (k >= warmup) rows.push({ wall, cpu, decode, decodeCpu, ort, faces: analysis.faces.length });
    }

    const wall = mean(rows.map((r) => r.wall));
    const cpu = mean(rows.map((r) => r.cpu));
    const decode = mean(rows.map((r) => r.decode));
    const decodeCpu = mean(rows.map((r) => r.decodeCpu));
    const per = (m: Model, f: (t: OrtTally) => number): number => mean(rows.map((r) => f(r.ort.get(m)!)));
    const ortMs = MODELS.reduce((a, m) => a + per(m, (t) => t.ms), 0);
    const rest = wall - decode - ortMs;
    const pct = (v: number): string => `${((100 * v) / wall).toFixed(0).padStart(3)}%`;
    console.log(
      `profile: ${rows.length} photos from ${dir} (${[...sizes].join(', ')}), ${warmup} warm-up, ` +
        `single lane; load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
    console.log(
      `engine.analyze: ${wall.toFixed(1)} ms wall, ${cpu.toFixed(1)} ms CPU per photo ` +
        `(${(1000 / wall).toFixed(1)} photos/s on one lane); faces/photo ${mean(rows.map((r) => r.faces)).toFixed(2)}`,
    );
    console.log(
      `  ${'decode (sharp, timed apart)'.padEnd(38)} ${decode.toFixed(1).padStart(7)} ms  ${pct(decode)}`,
    );
    for (const m of MODELS) {
      const ms = per(m, (t) => t.ms);
      if (ms === 0 && m === 'other') continue;
      const calls = per(m, (t) => t.calls);
      const items = per(m, (t) => t.items);
      const unit = m === 'detector' ? 'tiles' : m === 'embedder' ? 'faces' : 'crops';
      console.log(
        `  ${`${m} (onnxruntime)`.padEnd(38)} ${ms.toFixed(1).padStart(7)} ms  ${pct(ms)}   ` +
          `${calls.toFixed(1)} calls, ${items.toFixed(1)} ${unit}/photo, ${(ms / Math.max(items, 1e-9)).toFixed(2)} ms each`,
      );
    }
    console.log(
      `  ${'rest: pyramid resize, fills, warps, JS'.padEnd(38)} ${rest.toFixed(1).padStart(7)} ms  ${pct(rest)}`,
    );
    console.log(`  (decode CPU ${decodeCpu.toFixed(1)} ms; all analyze CPU ${cpu.toFixed(1)} ms)`);

    // Micro-measurements behind the suggestions (CPU ms, averaged).
    const cpuOf = async (reps: number, fn: () => unknown): Promise<number> => {
      await fn();
      const c = process.cpuUsage();
      for (let i = 0; i < reps; i++) await fn();
      return cpuMs(c) / reps;
    };
    const sample = photos[warmup] ?? photos[0]!;
    const full = await decodeImage(sample, decodeOptions);
    const side = Math.max(full.originalWidth, full.originalHeight);
    const decodeAt = async (maxSide: number): Promise<string> =>
      `${maxSide} px ${(await cpuOf(10, () => decodeImage(sample, { ...decodeOptions, maxSide }))).toFixed(1)} ms`;
    console.log(
      `decode CPU of one photo (${path.basename(files[warmup] ?? files[0]!)}, ${side} px) by long side: ${await decodeAt(Math.min(side, config.decode.analysisMaxSide))}, ` +
        `${await decodeAt(Math.round(side / 2))}, ${await decodeAt(Math.round(side / 4))}`,
    );
    const [inW, inH] = [320, 240];
    const tileBuf = new Float32Array(3 * inW * inH);
    const tile = { x: 0, y: 0, width: inW, height: inH };
    const fill = await cpuOf(50, () => fillDetectorInput(full.image, tile, tileBuf, 0, inW, inH, 127, 128));
    const alloc = await cpuOf(50, () => new Float32Array(8 * 3 * inW * inH).fill(0));
    const resize = await cpuOf(10, () =>
      resizeRgb(full.image, Math.round(full.image.width / 3), Math.round(full.image.height / 3)),
    );
    console.log(
      `per detector tile: fill ${fill.toFixed(2)} ms (JS); a fresh 8-tile input buffer ${alloc.toFixed(2)} ms; ` +
        `one sharp resize to 1/3 of the analysis image ${resize.toFixed(1)} ms`,
    );
    const cfg = config.detect;
    const tilesFor = (minFaceSize: number): number =>
      planPasses(full.image.width, full.image.height, {
        inputWidth: inW,
        inputHeight: inH,
        analysisScale: full.scale,
        minFaceSize,
        detectorMinFace: cfg.detectorMinFace,
        maxGrid: cfg.maxGrid,
        tileOverlap: cfg.tileOverlap,
      }).reduce((a, p) => a + p.tiles.length, 0);
    console.log(
      `grid tiles for a ${full.originalWidth}x${full.originalHeight} photo by minFaceSize (plus any padded pass): ` +
        [32, 48, 64, 96, 128].map((m) => `${m} px → ${tilesFor(m)}`).join(', '),
    );
  } finally {
    await engine.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
