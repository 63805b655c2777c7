import { type BatchProcessor, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ResultLine } from '../../core/report/resultLine.js';
import { writeLines } from './resultLines.js';
import { sendBatchEach } from './sendBatch.js';

/** A result line a record leaves for the end of its invocation. */
export interface PendingLine {
  bucket: string;
  runId: string;
  line: ResultLine;
}

/** A message a record leaves for the end of its invocation. */
export interface PendingMessage {
  queueUrl: string;
  body: unknown;
  delaySeconds?: number;
}

/** What one record (or one photo of a GPU job) leaves to be written once its batch is done. */
export interface RecordOutputs {
  lines?: PendingLine[];
  messages?: PendingMessage[];
}

/**
 * Writes many records' outputs together: one lines object per run (resultLines.ts) and
 * SendMessageBatch calls of up to ten per queue, instead of one request per photo. Returns, per
 * entry, why its outputs were not all written (undefined when they were), so only those records
 * are retried; what did get written for them is rewritten identically by the retry.
 */
export const flushOutputs = async (entries: readonly RecordOutputs[]): Promise<(string | undefined)[]> => {
  const problems: (string | undefined)[] = entries.map(() => undefined);
  const runs = new Map<string, { bucket: string; runId: string; lines: ResultLine[]; owners: Set<number> }>();
  const queues = new Map<string, { queueUrl: string; delay: number; bodies: unknown[]; owners: number[] }>();
  entries.forEach((e, i) => {
    for (const l of e.lines ?? []) {
      const id = `${l.bucket}\n${l.runId}`;
      const run = runs.get(id) ?? { bucket: l.bucket, runId: l.runId, lines: [], owners: new Set<number>() };
      run.lines.push(l.line);
      run.owners.add(i);
      runs.set(id, run);
    }
    for (const m of e.messages ?? []) {
      const delay = m.delaySeconds ?? 0;
      const id = `${m.queueUrl}\n${delay}`;
      const q = queues.get(id) ?? { queueUrl: m.queueUrl, delay, bodies: [], owners: [] };
      q.bodies.push(m.body);
      q.owners.push(i);
      queues.set(id, q);
    }
  });
  await Promise.all([
    ...[...runs.values()].map(async (run) => {
      try {
        await writeLines(run.bucket, run.runId, run.lines);
      } catch (error) {
        const e = error as Error;
        for (const i of run.owners) problems[i] ??= `result lines not written: ${e.name}: ${e.message}`;
      }
    }),
    ...[...queues.values()].map(async (q) => {
      const failed = await sendBatchEach(q.queueUrl, q.bodies, q.delay);
      for (const [k, why] of failed) problems[q.owners[k]!] ??= `message not sent: ${why}`;
    }),
  ]);
  return problems;
};

/**
 * One invocation's records and their outputs: each record's handler commits what it leaves, and
 * once every record has committed or failed they are all written by flushOutputs; a record is done
 * (deleted from its queue) only once its outputs are written.
 */
export class InvocationOutputs {
  readonly #expected: number;
  #settled = 0;
  readonly #waiting: { outputs: RecordOutputs; resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(expected: number) {
    this.#expected = expected;
  }

  /** Resolves when the record's outputs are written, after the whole invocation's records settled. */
  commit(outputs: RecordOutputs): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ outputs, resolve, reject });
      this.#settle();
    });
  }

  /** A record that failed before it had anything to commit. */
  abandon(): void {
    this.#settle();
  }

  #settle(): void {
    this.#settled++;
    if (this.#settled < this.#expected) return;
    const waiting = this.#waiting.splice(0);
    void flushOutputs(waiting.map((w) => w.outputs)).then(
      (problems) =>
        waiting.forEach((w, i) => {
          const why = problems[i];
          if (why === undefined) w.resolve();
          else w.reject(new Error(why));
        }),
      (error: unknown) => {
        for (const w of waiting) w.reject(error as Error);
      },
    );
  }
}

/** How processRecordsWithOutputs runs an invocation's records. */
export interface ProcessRecordsOptions {
  /**
   * Powertools' switch, true by default. Sequential records cannot wait for the ones after them,
   * so each record's outputs are then written as soon as it finishes (one write per record).
   */
  processInParallel?: boolean;
}

/**
 * processPartialResponse (Powertools: partial batch responses, one failed record never fails the
 * others) with the records' outputs written together at the end. Records run concurrently by
 * default; `handle` limits its own heavy work.
 */
export const processRecordsWithOutputs = (
  event: SQSEvent,
  context: Context,
  processor: BatchProcessor,
  handle: (record: SQSRecord) => Promise<RecordOutputs | undefined>,
  options: ProcessRecordsOptions = {},
): Promise<SQSBatchResponse> => {
  const processInParallel = options.processInParallel ?? true;
  const invocation = processInParallel ? new InvocationOutputs(event.Records?.length ?? 0) : undefined;
  return processPartialResponse(
    event,
    async (record: SQSRecord) => {
      const outputs = invocation ?? new InvocationOutputs(1);
      let out: RecordOutputs | undefined;
      try {
        out = await handle(record);
      } catch (error) {
        outputs.abandon();
        throw error;
      }
      await outputs.commit(out ?? {});
    },
    processor,
    { context, processInParallel },
  );
};
