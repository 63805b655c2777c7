import { Worker } from 'node:worker_threads';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SqsHandler } from './EventSourcePoller.js';

/**
 * Runs in each worker: loads the bundle once (the container's cold start), then serves one
 * invocation at a time. CommonJS source so it needs no loader, as in Lambda's runtime.
 */
const CONTAINER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { handler } = require(workerData.bundle);
parentPort.on('message', async ({ id, event, context }) => {
  const ctx = { ...context, getRemainingTimeInMillis: () => Math.max(0, context.deadline - Date.now()),
    done() {}, fail() {}, succeed() {} };
  try {
    parentPort.postMessage({ id, result: await handler(event, ctx) });
  } catch (error) {
    parentPort.postMessage({ id, error: error && error.stack ? error.stack : String(error) });
  }
});
`;

interface Pending {
  resolve: (r: SQSBatchResponse | undefined) => void;
  reject: (e: Error) => void;
}

/**
 * Lambda containers as worker threads: each has its own module state (SDK clients, engine, caches)
 * and its own event loop, so concurrent invocations run in parallel as they would on Lambda
 * instead of sharing one JavaScript thread. Containers start on demand, up to `size`.
 */
export class WorkerContainers {
  readonly #bundle: string;
  readonly #size: number;
  readonly #env: Record<string, string>;
  readonly #idle: Worker[] = [];
  readonly #all: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #waiting: ((w: Worker) => void)[] = [];
  #next = 0;

  /** `env`: added to each container's environment (a copy of this process's at its start). */
  constructor(bundle: string, size: number, env: Record<string, string> = {}) {
    this.#bundle = bundle;
    this.#size = size;
    this.#env = env;
  }

  readonly handler: SqsHandler = async (event: SQSEvent, context: Context) => {
    const worker = await this.#acquire();
    const id = ++this.#next;
    try {
      return await new Promise<SQSBatchResponse | undefined>((resolve, reject) => {
        this.#pending.set(id, { resolve, reject });
        worker.postMessage({
          id,
          event,
          context: {
            functionName: context.functionName,
            functionVersion: context.functionVersion,
            invokedFunctionArn: context.invokedFunctionArn,
            memoryLimitInMB: context.memoryLimitInMB,
            awsRequestId: context.awsRequestId,
            logGroupName: context.logGroupName,
            logStreamName: context.logStreamName,
            callbackWaitsForEmptyEventLoop: true,
            deadline: Date.now() + context.getRemainingTimeInMillis(),
          },
        });
      });
    } finally {
      this.#release(worker);
    }
  };

  async #acquire(): Promise<Worker> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#all.length < this.#size) return this.#start();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(worker: Worker): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(worker);
    else this.#idle.push(worker);
  }

  #start(): Worker {
    const worker = new Worker(CONTAINER_SOURCE, {
      eval: true,
      workerData: { bundle: this.#bundle },
      env: { ...process.env, ...this.#env },
    });
    worker.on('message', (m: { id: number; result?: SQSBatchResponse; error?: string }) => {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
    // A crashed container fails what it was running; the next invocation starts a fresh one.
    const fail = (error: Error) => {
      for (const [id, p] of this.#pending) {
        this.#pending.delete(id);
        p.reject(error);
      }
      // 'error' and then 'exit' both land here: remove the worker once, never another one.
      const a = this.#all.indexOf(worker);
      if (a >= 0) this.#all.splice(a, 1);
      const i = this.#idle.indexOf(worker);
      if (i >= 0) this.#idle.splice(i, 1);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`container exited with code ${code}`)));
    this.#all.push(worker);
    return worker;
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map((w) => w.terminate()));
  }
}
