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
  // 3 GB gives ~2 vCPUs for decode and inference; small batches keep a failure's retry cheap.
  detect: {
    timeoutSeconds: 120,
    memoryMb: 3008,
    batchSize: 4,
    batchWindowSeconds: 2,
    maxConcurrency: 50,
    maxReceiveCount: 3,
  },
  verify: {
    timeoutSeconds: 60,
    memoryMb: 1024,
    batchSize: 10,
    batchWindowSeconds: 2,
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
