/** Worker-thread host for one FaceEngine; EnginePool talks to it with {id, op, bytes} messages. */
import { parentPort, workerData } from 'node:worker_threads';
import { MespotterError } from '../errors.js';
import { FaceEngine, type FaceEngineOptions } from '../FaceEngine.js';

export interface WorkerRequest {
  id: number;
  op: 'analyze' | 'embedAligned' | 'describeAligned';
  bytes: Uint8Array;
}

export type WorkerResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; code?: string; message: string } };

const port = parentPort;
if (port) {
  const engine = await FaceEngine.create(workerData as FaceEngineOptions);
  port.postMessage({ ready: true, modelSetId: engine.modelSetId, config: engine.config });
  port.on('message', async (req: WorkerRequest) => {
    try {
      const value =
        req.op === 'analyze'
          ? await engine.analyze(req.bytes)
          : req.op === 'describeAligned'
            ? await engine.describeAligned(req.bytes)
            : await engine.embedAligned(req.bytes);
      port.postMessage({ id: req.id, ok: true, value } satisfies WorkerResponse);
    } catch (error) {
      const e = error as Error;
      port.postMessage({
        id: req.id,
        ok: false,
        error: {
          name: e.name,
          message: e.message,
          ...(error instanceof MespotterError ? { code: error.code } : {}),
        },
      } satisfies WorkerResponse);
    }
  });
}
