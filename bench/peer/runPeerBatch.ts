/**
 * Runs the face-api peer over a list of photos in ONE fresh process and writes its numbers as JSON,
 * so the peak RSS (process.resourceUsage().maxRSS) is the peer's own and not that of whoever
 * generated the photos. bench/speed.ts starts one of these per resolution.
 *
 *   node dist/bench/peer/runPeerBatch.js --list files.json --out result.json [--max-side N]
 *
 * files.json is a JSON array of photo paths. Photos are analysed one after another, in order,
 * with no separate warm-up (as `mespotter sort` gets none). Model loading is timed apart (setupMs)
 * and kept out of photosPerSecond, as `sort` keeps engine creation out of its summary.
 *
 * Exit codes: 0 ok, 2 the tfjs peer packages are not installed, 1 anything else.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createFaceApiPeer, type FaceApiPeerInfo, MissingPeerPackagesError } from './faceApiPeer.js';

export interface PeerBatchResult {
  info: FaceApiPeerInfo;
  setupMs: number;
  /** Seconds over all photos (decode + detection + landmarks + descriptors), setup excluded. */
  seconds: number;
  photosPerSecond: number;
  /** CPU seconds (user + system, all threads) spent on the photos, setup excluded. */
  cpuSeconds: number;
  /** Peak resident memory of this process, MiB. */
  peakRssMb: number;
  photos: { file: string; ms: number; faces: number; error?: string }[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      list: { type: 'string' },
      out: { type: 'string' },
      'max-side': { type: 'string' },
    },
  });
  if (!values.list || !values.out) throw new Error('usage: runPeerBatch --list files.json --out result.json');
  const files = JSON.parse(await readFile(values.list, 'utf8')) as string[];
  const maxSide = values['max-side'] ? Number(values['max-side']) : undefined;

  const t0 = performance.now();
  const peer = await createFaceApiPeer(maxSide ? { maxSide } : {});
  const setupMs = performance.now() - t0;
  const photos: PeerBatchResult['photos'] = [];
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  try {
    for (const file of files) {
      const s = performance.now();
      try {
        const { faces } = await peer.analyzeFile(file);
        photos.push({ file, ms: performance.now() - s, faces });
      } catch (error) {
        photos.push({ file, ms: performance.now() - s, faces: 0, error: String(error) });
      }
    }
  } finally {
    await peer.close();
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const result: PeerBatchResult = {
    info: peer.info,
    setupMs,
    seconds,
    photosPerSecond: seconds > 0 ? files.length / seconds : 0,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    photos,
  };
  await writeFile(values.out, `${JSON.stringify(result)}\n`);
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
