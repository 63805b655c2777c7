import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineConfig } from '../config.js';
import type { FaceIdentity } from '../embed/IdentityStage.js';
import { ImageError, type ImageErrorCode, MespotterError, ModelError } from '../errors.js';
import type { FaceEngineOptions } from '../FaceEngine.js';
import type { ImageAnalysis } from '../types.js';
import type { WorkerRequest, WorkerResponse } from './engineWorker.js';
import type { PhotoAnalyzer } from './PhotoAnalyzer.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: number;
}

/**
 * The engine's JS stages and onnxruntime's run() both execute on the calling thread, so one
 * process uses one core for inference however many photos are in flight. The pool runs one
 * FaceEngine per worker thread (one per core by default) behind the same analyze() call.
 */
export class EnginePool implements PhotoAnalyzer {
  readonly modelSetId: string;
  readonly config: EngineConfig;
  readonly #slots: Slot[];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;

  private constructor(modelSetId: string, config: EngineConfig, slots: Slot[]) {
    this.modelSetId = modelSetId;
    this.config = config;
    this.#slots = slots;
    for (const slot of slots) this.#listen(slot);
  }

  static async create(size: number, options: FaceEngineOptions = {}): Promise<EnginePool> {
    const script = workerScript();
    const started = await Promise.all(
      Array.from({ length: size }, async () => {
        const worker = new Worker(script, { workerData: options });
        let onMessage: (m: { modelSetId: string; config: EngineConfig }) => void = () => undefined;
        let onError: (e: Error) => void = () => undefined;
        let onExit: (code: number) => void = () => undefined;
        const ready = await new Promise<{ modelSetId: string; config: EngineConfig }>((resolve, reject) => {
          onMessage = resolve;
          onError = reject;
          onExit = (code) => reject(new ModelError(`engine worker exited during start-up (code ${code})`));
          worker.once('message', onMessage).once('error', onError).once('exit', onExit);
        }).finally(() => {
          // Only our own listeners: Worker keeps internal ones that start its message port.
          worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        });
        return { worker, ready };
      }),
    ).catch(async (error: unknown) => {
      throw error instanceof MespotterError
        ? error
        : new ModelError((error as Error).message, { cause: error });
    });
    const first = started[0]!.ready;
    return new EnginePool(
      first.modelSetId,
      first.config,
      started.map((s) => ({ worker: s.worker, busy: 0 })),
    );
  }

  get size(): number {
    return this.#slots.length;
  }

  analyze(bytes: Uint8Array): Promise<ImageAnalysis> {
    return this.#call('analyze', bytes) as Promise<ImageAnalysis>;
  }

  embedAligned(bytes: Uint8Array): Promise<Float32Array> {
    return this.#call('embedAligned', bytes) as Promise<Float32Array>;
  }

  describeAligned(bytes: Uint8Array): Promise<FaceIdentity> {
    return this.#call('describeAligned', bytes) as Promise<FaceIdentity>;
  }

  async close(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  #call(op: WorkerRequest['op'], bytes: Uint8Array): Promise<unknown> {
    // Least-loaded worker; each queues its own requests, so no central queue is needed.
    const slot = this.#slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (v) => {
          slot.busy--;
          resolve(v);
        },
        reject: (e) => {
          slot.busy--;
          reject(e);
        },
      });
      slot.worker.postMessage({ id, op, bytes } satisfies WorkerRequest);
    });
  }

  #listen(slot: Slot): void {
    slot.worker.on('message', (msg: WorkerResponse) => {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(reviveError(msg.error));
    });
    // A crashed worker fails everything in flight loudly rather than hanging the run.
    const failAll = (why: string): void => {
      for (const [id, p] of this.#pending) {
        this.#pending.delete(id);
        p.reject(new ModelError(`engine worker failed: ${why}`));
      }
    };
    slot.worker.on('error', (error) => failAll(error.message));
    slot.worker.on('exit', (code) => failAll(`exited with code ${code}`));
  }
}

const reviveError = (e: { name: string; code?: string; message: string }): Error => {
  if (e.name === 'ImageError' && e.code) return new ImageError(e.code as ImageErrorCode, e.message);
  if (e.code) return new MespotterError(e.code, e.message);
  return new Error(e.message);
};

/**
 * The worker must be JavaScript: from dist/ it sits beside this file; when this module runs from
 * TypeScript source (tests), use the compiled copy that `npm run build` puts in dist/.
 */
const workerScript = (): string => {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'engineWorker.js');
  if (existsSync(beside)) return beside;
  const compiled = join(here, '..', '..', 'dist', 'core', 'runtime', 'engineWorker.js');
  if (existsSync(compiled)) return compiled;
  throw new ModelError(
    `engine worker script not found (looked for ${beside} and ${compiled}); run "npm run build"`,
  );
};
