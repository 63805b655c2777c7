import type * as Ort from 'onnxruntime-node';
import { ModelError } from '../errors.js';

let runtime: Promise<typeof Ort> | undefined;

/**
 * onnxruntime (a large native library) is loaded with the first model, not at import, so commands
 * that run no model (`--help`, `people`, `library`) start at once.
 */
const loadRuntime = (): Promise<typeof Ort> => {
  runtime ??= import('onnxruntime-node');
  return runtime;
};

/** A float tensor in plain data, so nothing outside this file depends on onnxruntime types. */
export interface FloatTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface SessionOptions {
  /** Intra-op threads per session; 1 with several lanes beat 2 spinning threads on 2 cores. */
  intraOpThreads: number;
  /** 'cpu' everywhere; 'cuda' in the GPU batch container. */
  device: 'cpu' | 'cuda';
}

/** One loaded model; `run` may be called concurrently (onnxruntime sessions are thread-safe). */
export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(inputs: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>>;
  release(): Promise<void>;
}

export const createSession = async (
  model: Uint8Array,
  name: string,
  options: SessionOptions,
): Promise<ModelSession> => {
  const ort = await loadRuntime();
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, {
      executionProviders: options.device === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
      intraOpNumThreads: options.intraOpThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // Spinning threads starve sharp and the JS pre/post-processing on small machines.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (cause) {
    throw new ModelError(`Could not load the ${name} model into onnxruntime: ${(cause as Error).message}`, {
      cause,
    });
  }
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    run: async (inputs) => {
      const feeds: Record<string, Ort.Tensor> = {};
      for (const [key, t] of Object.entries(inputs)) feeds[key] = new ort.Tensor('float32', t.data, t.dims);
      const out = await session.run(feeds);
      const result: Record<string, FloatTensor> = {};
      for (const [key, t] of Object.entries(out)) {
        result[key] = { data: t.data as Float32Array, dims: t.dims };
      }
      return result;
    },
    release: () => session.release(),
  };
};
