/**
 * The detect stage alone, in a process of its own so its CPU time is its own (the emulator runs
 * in the parent): the photos under a prefix of the emulated bucket, in batches of 10 as the detect
 * Lambda gets them, with `lanes` engines (1: one vCPU, the Lambda's FaceEngine; 2: an EnginePool
 * of two, what 3008 MB or more could use). Prints one JSON line: photos, CPU and wall time.
 * Run by bench/cloud.ts: node --import tsx bench/cloud/detectStage.ts '<json options>'
 */
import pLimit from 'p-limit';
import { FaceEngine } from '../../core/FaceEngine.js';
import { EnginePool } from '../../core/runtime/EnginePool.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { detectPhoto } from '../../functions/detect/detectPhoto.js';
import { DETECT_IN_FLIGHT } from '../../functions/detect/handler.js';
import type { PhotoMessage } from '../../functions/shared/messages.js';
import { createObservability } from '../../functions/shared/observability.js';
import { flushOutputs, type RecordOutputs } from '../../functions/shared/RecordOutputs.js';

interface Options {
  bucket: string;
  keys: string[];
  /** Photos analysed first and not timed: the warm container. */
  warmup: number;
  lanes: number;
  verifyQueueUrl: string;
}

const o = JSON.parse(process.argv[2] ?? '{}') as Options;
const { logger, metrics } = createObservability('detect');
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const cold0 = { cpu: cpu(), wall: performance.now() };
const engine: PhotoAnalyzer = o.lanes === 1 ? await FaceEngine.create() : await EnginePool.create(o.lanes);
const cold = { cpuMs: cpu() - cold0.cpu, wallMs: performance.now() - cold0.wall };
// The faces index off: every photo is analysed, whatever earlier runs stored.
const settings = { verifyQueueUrl: o.verifyQueueUrl, maxPhotoBytes: undefined, facesIndex: false };
// The Lambda keeps one photo downloading while one is analysed; with more engines, one per engine plus one.
const inFlight = pLimit(o.lanes === 1 ? DETECT_IN_FLIGHT : o.lanes + 1);

const batch = async (keys: readonly string[]): Promise<void> => {
  const outputs = await Promise.all(
    keys.map((key) =>
      inFlight(async (): Promise<RecordOutputs> => {
        const m: PhotoMessage = { kind: 'photo', runId: 'bench-detect', bucket: o.bucket, key };
        return detectPhoto(m, { engine, logger, metrics, settings });
      }),
    ),
  );
  const problems = await flushOutputs(outputs);
  if (problems.some((p) => p !== undefined)) throw new Error(`outputs not written: ${problems.join('; ')}`);
};

await batch(o.keys.slice(0, o.warmup));
const timed = o.keys.slice(o.warmup);
const t0 = { cpu: cpu(), wall: performance.now() };
for (let i = 0; i < timed.length; i += 10) await batch(timed.slice(i, i + 10));
const result = {
  lanes: o.lanes,
  photos: timed.length,
  cpuMs: cpu() - t0.cpu,
  wallMs: performance.now() - t0.wall,
  coldStart: cold,
};
await engine.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
