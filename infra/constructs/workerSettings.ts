import type { HandlerName } from './lambdaBundle.js';

export interface WorkerSettings {
  timeoutSeconds: number;
  memoryMb: number;
  batchSize: number;
  batchWindowSeconds: number;
  maxConcurrency: number;
  maxReceiveCount: number;
}

/** Per-function sizing, shared by the stack and the local emulator so both batch alike. */
export const WORKER_SETTINGS: Record<HandlerName, WorkerSettings> = {
  // Manifest expansion lists and streams; big manifests take minutes.
  ingest: {
    timeoutSeconds: 900,
    memoryMb: 1024,
    batchSize: 10,
    batchWindowSeconds: 1,
    maxConcurrency: 5,
    maxReceiveCount: 3,
  },
  // 1769 MB is one full vCPU, which the engine keeps busy with one photo analysed while the next
  // downloads; more memory costs as much per photo or more (BENCHMARKS.md, "Serverless"). Ten
  // photos per invocation: one lines object and one SendMessageBatch for all of them.
  detect: {
    timeoutSeconds: 120,
    memoryMb: 1769,
    batchSize: 10,
    batchWindowSeconds: 2,
    maxConcurrency: 50,
    maxReceiveCount: 3,
  },
  // A few ms per photo: big batches (Lambda allows more than 10 with a batching window) make one
  // lines object of 50 photos; 50 inline analyses of at most 100 KB stay under the 6 MB event.
  verify: {
    timeoutSeconds: 60,
    memoryMb: 1024,
    batchSize: 50,
    batchWindowSeconds: 3,
    maxConcurrency: 10,
    maxReceiveCount: 3,
  },
  // Multipart copies of multi-GB objects take minutes.
  copy: {
    timeoutSeconds: 600,
    memoryMb: 512,
    batchSize: 10,
    batchWindowSeconds: 0,
    maxConcurrency: 10,
    maxReceiveCount: 3,
  },
};
