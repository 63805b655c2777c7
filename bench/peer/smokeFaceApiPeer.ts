/**
 * Smoke run of the face-api peer on face-api's own demo photos (sample1.jpg .. sample6.jpg).
 * Prints faces found and wall-clock ms per image (decode + detection + landmarks + descriptors).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/peer/smokeFaceApiPeer.js [rounds]
 *
 * Exit codes: 0 ok, 2 the tfjs peer packages are not installed, 1 anything else.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFaceApiPeer, MissingPeerPackagesError } from './faceApiPeer.js';

const require = createRequire(import.meta.url);

async function main(): Promise<void> {
  const rounds = Math.max(1, Number(process.argv[2] ?? 3) || 3);
  // face-api's package.json has no "exports" map, so its main entry resolves without loading it.
  const demoDir = path.join(path.dirname(require.resolve('@vladmandic/face-api')), '..', 'demo');
  const samples = [1, 2, 3, 4, 5, 6].map((n) => path.join(demoDir, `sample${n}.jpg`));

  const t0 = performance.now();
  const peer = await createFaceApiPeer();
  const loadMs = performance.now() - t0;
  console.log(
    `face-api ${peer.info.faceApiVersion} tfjs ${peer.info.tfjsVersion} backend=${peer.info.backend} ` +
      `binary=${peer.info.wasmBinary ?? '?'} simd=${peer.info.simd} multithread=${peer.info.multithread} ` +
      `threads=${peer.info.threads} setup=${loadMs.toFixed(0)}ms`,
  );

  try {
    // One untimed pass so one-off costs (kernel setup, allocator growth) stay out of the numbers.
    const w0 = performance.now();
    const warm = await peer.analyzeFile(samples[0]!);
    console.log(
      `warm-up ${path.basename(samples[0]!)}: faces=${warm.faces} ${(performance.now() - w0).toFixed(1)}ms`,
    );
    const tensorsBefore = peer.numTensors();

    const times = new Map<string, number[]>();
    const faces = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      for (const file of samples) {
        const s = performance.now();
        const result = await peer.analyzeFile(file);
        const ms = performance.now() - s;
        const name = path.basename(file);
        times.set(name, [...(times.get(name) ?? []), ms]);
        const seen = faces.get(name);
        if (seen !== undefined && seen !== result.faces)
          console.warn(`${name}: faces changed ${seen} -> ${result.faces}`);
        faces.set(name, result.faces);
      }
    }

    let total = 0;
    let count = 0;
    for (const [name, list] of times) {
      const sorted = [...list].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      total += list.reduce((a, b) => a + b, 0);
      count += list.length;
      console.log(
        `${name}: faces=${faces.get(name)} median=${median.toFixed(1)}ms ` +
          `runs=[${list.map((t) => t.toFixed(1)).join(', ')}]`,
      );
    }
    console.log(`mean over ${count} runs: ${(total / count).toFixed(1)}ms/image`);
    const leaked = peer.numTensors() - tensorsBefore;
    if (leaked !== 0) console.warn(`tensor count changed by ${leaked} across the timed runs (leak?)`);
  } finally {
    await peer.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof MissingPeerPackagesError) {
    console.error(error.message);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
