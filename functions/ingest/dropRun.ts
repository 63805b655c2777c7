import { randomUUID } from 'node:crypto';
import { inputsPrefix, Prefix } from '../shared/keys.js';
import { listObjects } from '../shared/listObjects.js';
import type { FinalizeMessage } from '../shared/messages.js';
import { readModelSetId } from '../shared/modelSet.js';
import { readRunLines } from '../shared/resultLines.js';
import { getObjectText, putText } from '../shared/s3Objects.js';
import { armFinalizer, isLastAttempt, rearmFinalizer } from './finalizer.js';
import type { RunDeps } from './manifestRun.js';
import { RunRoute, writeRunSummary } from './summarizeRun.js';

/*
 * A drop run (drop-YYYY-MM-DD, every photo dropped into incoming/ that UTC day) has no manifest
 * and no known end, so:
 * - each ingest invocation writes one inputs record per drop run it saw:
 *   results/<runId>/inputs/<ISO time>-<id>-<a|n>-<count>.jsonl, the keys it was given;
 * - a record marked `a` (armed) comes with a finalizer carrying it as `anchor`. A container arms
 *   at most once per half the finalizer's first delay and run; its other records are `n`;
 * - a finalizer that sees an armed record newer than its anchor stops: that record's finalizer
 *   looks at everything later. The newest one is the run's finalizer: it waits, as a manifest
 *   run's does, until every key recorded has its line (or its last check), then writes the
 *   summary; drops after that arm a new finalizer, which rewrites it.
 * Why this covers every drop: an `n` record is written less than half a delay after its
 * container armed, so before that finalizer's first check lists the records.
 */

const INPUTS_NAME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)-([0-9a-f]{8})-([an])-(\d+)\.jsonl$/;

export interface InputsRecordName {
  key: string;
  at: string;
  armed: boolean;
  count: number;
}

export const inputsRecordKey = (runId: string, at: Date, id: string, armed: boolean, count: number): string =>
  `${inputsPrefix(runId)}${at.toISOString()}-${id}-${armed ? 'a' : 'n'}-${count}.jsonl`;

export const parseInputsRecordKey = (runId: string, key: string): InputsRecordName | undefined => {
  const prefix = inputsPrefix(runId);
  if (!key.startsWith(prefix)) return undefined;
  const m = INPUTS_NAME.exec(key.slice(prefix.length));
  return m ? { key, at: m[1]!, armed: m[3] === 'a', count: Number(m[4]) } : undefined;
};

/** When this container last armed a finalizer, per drop run. */
const lastArmed = new Map<string, number>();

/**
 * Records an invocation's drops into one drop run, arming its finalizer unless this container
 * armed one moments ago. The finalizer is sent before the record is written, so a record marked
 * armed always has one on its way.
 */
export const recordDrops = async (
  bucket: string,
  runId: string,
  keys: readonly string[],
  deps: RunDeps,
  now = Date.now(),
): Promise<void> => {
  const { settings } = deps;
  const last = lastArmed.get(runId);
  const armed = last === undefined || now - last >= (settings.finalizeDelaySeconds * 1000) / 2;
  const key = inputsRecordKey(runId, new Date(now), randomUUID().slice(0, 8), armed, keys.length);
  if (armed) await armFinalizer(settings, { kind: 'finalize', runId, bucket, attempt: 0, anchor: key });
  await putText(bucket, key, `${keys.map((k) => JSON.stringify(k)).join('\n')}\n`, 'application/x-ndjson');
  // Only once the record exists: a failed write is retried with SQS, armed again.
  if (armed) {
    if (lastArmed.size > 100) lastArmed.clear();
    lastArmed.set(runId, now);
  }
};

const readKeys = async (bucket: string, recordKey: string): Promise<string[]> => {
  const object = await getObjectText(bucket, recordKey);
  if (!object) return [];
  return object.text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown)
    .filter((k): k is string => typeof k === 'string');
};

export type DropFinalizeOutcome = 'superseded' | 'waiting' | 'summarized';

/** One check of a drop run by the finalizer armed with `m.anchor` (see the top of this file). */
export const finalizeDropRun = async (
  m: FinalizeMessage & { anchor: string },
  deps: RunDeps,
): Promise<DropFinalizeOutcome> => {
  const { logger, settings } = deps;
  const records: InputsRecordName[] = [];
  for await (const o of listObjects(m.bucket, inputsPrefix(m.runId))) {
    const parsed = o.Key ? parseInputsRecordKey(m.runId, o.Key) : undefined;
    if (parsed) records.push(parsed);
  }
  if (records.some((r) => r.armed && r.key > m.anchor)) return 'superseded';
  const last = isLastAttempt(m);
  // The anchor is written just after its finalizer is sent: not there yet, look again later.
  if (!last && !records.some((r) => r.key === m.anchor)) {
    await rearmFinalizer(settings, m);
    return 'waiting';
  }
  const announced = records.reduce((n, r) => n + r.count, 0);
  const lines = await readRunLines(m.bucket, m.runId);
  let expected = announced;
  let pending = 0;
  // Fewer distinct lines than keys recorded: still in flight, or a key was dropped twice.
  if (lines.size < announced) {
    const keys = new Set<string>();
    for (const r of records) for (const k of await readKeys(m.bucket, r.key)) keys.add(k);
    expected = keys.size;
    for (const k of keys) if (!lines.has(k)) pending++;
  }
  if (pending > 0 && !last) {
    await rearmFinalizer(settings, m);
    return 'waiting';
  }
  await writeRunSummary(
    m.bucket,
    {
      runId: m.runId,
      input: `s3://${m.bucket}/${Prefix.Incoming}`,
      startedAt: records[0]?.at ?? new Date().toISOString(),
      modelSetId: await readModelSetId().catch(() => 'unknown'),
      route: RunRoute.Lambda,
      expected,
      pending,
    },
    lines.values(),
    settings.dlqUrls,
  );
  logger.info('drop run summarized', { runId: m.runId, expected, pending });
  return 'summarized';
};
