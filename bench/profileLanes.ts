/**
 * How well does analysis use the cores? onnxruntime-node 1.30's `session.run` is synchronous on
 * the calling JS thread (it only defers to setImmediate; microsoft/onnxruntime#19611, #26968), so
 * "lanes" inside one process overlap sharp's decode/resize (libuv pool) with inference, but all
 * inference and all JS pre/post-processing still take turns on the one main thread.
 *
 * This compares, on the same photos and in alternating rounds (so a busy neighbour on the machine
 * hurts all alike):
 *   - in-process: one FaceEngine, one photo or `--lanes` photos in flight;
 *   - workers: `--lanes` worker_threads, each with its own FaceEngine, one photo at a time each
 *     (what `mespotter sort` does since core/runtime/EnginePool.ts).
 * It reports photos/s, CPU ms per photo and cores kept busy. Nothing in core/ is changed.
 *
 *   node dist/bench/profileLanes.js DIR [--n 60] [--lanes 2] [--rounds 2]
 */
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { FaceEngine } from '../core/FaceEngine.js';

interface Measure {
  photosPerSecond: number;
  cpuMsPerPhoto: number;
  coresBusy: number;
  faces: number;
}

const measure = async (count: number, fn: () => Promise<number>): Promise<Measure> => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const faces = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const d = process.cpuUsage(c0);
  const cpu = (d.user + d.system) / 1e6;
  return {
    photosPerSecond: count / seconds,
    cpuMsPerPhoto: (1000 * cpu) / count,
    coresBusy: cpu / seconds,
    faces: faces / count,
  };
};

const inProcess = async (engine: FaceEngine, photos: Uint8Array[], lanes: number): Promise<number> => {
  let next = 0;
  let faces = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < photos.length) {
        const analysis = await engine.analyze(photos[next++]!);
        faces += analysis.faces.length;
      }
    }),
  );
  return faces;
};

interface WorkerReply {
  index: number;
  faces: number;
}

/** Starts `lanes` workers with an engine each; returns a function that runs all photos through them. */
const startWorkers = async (
  files: string[],
  lanes: number,
): Promise<{ run: () => Promise<number>; close: () => Promise<void> }> => {
  const workers = Array.from(
    { length: lanes },
    () => new Worker(new URL(import.meta.url), { workerData: { files } }),
  );
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('message', () => resolve());
          w.once('error', reject);
        }),
    ),
  );
  const run = (): Promise<number> =>
    new Promise((resolve, reject) => {
      let next = 0;
      let done = 0;
      let faces = 0;
      const feed = (w: Worker): void => {
        if (next < files.length) w.postMessage(next++);
      };
      const listeners = workers.map((w) => {
        const onMessage = (m: WorkerReply): void => {
          faces += m.faces;
          if (++done === files.length) {
            workers.forEach((x, i) => {
              x.off('message', listeners[i]!);
            });
            resolve(faces);
          } else feed(w);
        };
        w.on('message', onMessage);
        w.once('error', reject);
        return onMessage;
      });
      for (const w of workers) feed(w);
    });
  const close = async (): Promise<void> => {
    await Promise.all(workers.map((w) => w.terminate()));
  };
  return { run, close };
};

const workerMain = async (): Promise<void> => {
  const { files } = workerData as { files: string[] };
  const photos = await Promise.all(files.map((f) => readFile(f)));
  const engine = await FaceEngine.create();
  // Warm up on one photo so the first timed one pays no one-off costs.
  await engine.analyze(photos[0]!);
  parentPort!.on('message', async (index: number) => {
    const analysis = await engine.analyze(photos[index]!);
    parentPort!.postMessage({ index, faces: analysis.faces.length } satisfies WorkerReply);
  });
  parentPort!.postMessage('ready');
};

const main = async (): Promise<void> => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      n: { type: 'string', default: '60' },
      lanes: { type: 'string', default: String(os.availableParallelism()) },
      rounds: { type: 'string', default: '2' },
    },
  });
  const dir = positionals[0];
  if (!dir) throw new Error('usage: profileLanes DIR [--n 60] [--lanes 2] [--rounds 2]');
  const n = Number(values.n);
  const lanes = Number(values.lanes);
  const rounds = Number(values.rounds);
  const files = (await readdir(dir))
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .slice(0, n)
    .map((f) => path.join(dir, f));
  const photos = await Promise.all(files.map((f) => readFile(f)));

  const engine = await FaceEngine.create();
  await engine.analyze(photos[0]!);
  const workers = await startWorkers(files, lanes);
  const line = (label: string, m: Measure): string =>
    `  ${label.padEnd(34)} ${m.photosPerSecond.toFixed(2).padStart(6)} photos/s  ` +
    `${m.cpuMsPerPhoto.toFixed(1).padStart(6)} ms CPU/photo  ${m.coresBusy.toFixed(2)} cores busy  ` +
    `${m.faces.toFixed(2)} faces/photo`;
  console.log(
    `${files.length} photos from ${dir}; ${os.availableParallelism()} cores; ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  try {
    for (let r = 0; r < rounds; r++) {
      console.log(`round ${r + 1}`);
      console.log(
        line('in-process, 1 lane', await measure(files.length, () => inProcess(engine, photos, 1))),
      );
      console.log(
        line(
          `in-process, ${lanes} lanes`,
          await measure(files.length, () => inProcess(engine, photos, lanes)),
        ),
      );
      console.log(
        line(`${lanes} worker threads (as sort)`, await measure(files.length, () => workers.run())),
      );
    }
  } finally {
    await workers.close();
    await engine.close();
  }
};

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  workerMain().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
