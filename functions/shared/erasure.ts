import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { ConfigError } from '../../core/errors.js';
import { isValidPersonName } from '../../core/match/personName.js';
import { s3Client } from './clients.js';
import { forgetInLines } from './forgetInLines.js';
import { Prefix } from './keys.js';
import { listObjects } from './listObjects.js';
import { getObjectText, putText } from './s3Objects.js';

/** One object an erasure touches: deleted whole, or (result lines) rewritten without the person. */
export interface ErasureTarget {
  key: string;
  size: number;
  action: 'delete' | 'rewrite';
}

export interface ErasurePlan {
  bucket: string;
  /** The prefixes listed, for the report. */
  prefixes: string[];
  targets: ErasureTarget[];
  /** forget: whose result lines are removed from results/. */
  person?: string;
}

export interface ErasureOutcome {
  deleted: string[];
  rewritten: string[];
  failed: { key: string; reason: string }[];
}

/** DeleteObjects takes at most 1000 keys per call. */
const DELETE_BATCH = 1000;

const listTargets = async (bucket: string, prefix: string): Promise<ErasureTarget[]> => {
  const out: ErasureTarget[] = [];
  for await (const o of listObjects(bucket, prefix))
    if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0, action: 'delete' });
  return out;
};

/**
 * Everything stored about one person: reference/<person>/ (photos, gallery.json, enrolment.json),
 * matches/<person>/ (the copies of their photos) and, unless `results` is false, what the result
 * lines in results/ say about them (which photos they were found in, their face's box and scores):
 * those lines are rewritten without them (forgetInLines.ts). Only lists; nothing is changed.
 */
export const planForget = async (
  bucket: string,
  person: string,
  { results = true }: { results?: boolean } = {},
): Promise<ErasurePlan> => {
  // The name becomes a key prefix: "An" must not reach "Anna", nor "a/../b" anything else.
  if (!isValidPersonName(person)) throw new ConfigError(`not a valid person name: "${person}"`);
  const prefixes = [`${Prefix.Reference}${person}/`, `${Prefix.Matches}${person}/`];
  const targets: ErasureTarget[] = [];
  for (const p of prefixes) targets.push(...(await listTargets(bucket, p)));
  if (results) {
    prefixes.push(Prefix.Results);
    for await (const o of listObjects(bucket, Prefix.Results)) {
      if (!o.Key?.includes('/lines/')) continue;
      const object = await getObjectText(bucket, o.Key);
      if (!object) continue;
      const forgotten = forgetInLines(object.text, person);
      if (!forgotten.changed) continue;
      // Only lines of an older format (one per person) can all be theirs.
      targets.push({ key: o.Key, size: o.Size ?? 0, action: forgotten.empty ? 'delete' : 'rewrite' });
    }
  }
  return { bucket, prefixes, targets, person };
};

/** The whole faces index (faces/: the embeddings of every face analysed, bystanders included). */
export const planPurgeFaces = async (bucket: string): Promise<ErasurePlan> => ({
  bucket,
  prefixes: [Prefix.Faces],
  targets: await listTargets(bucket, Prefix.Faces),
});

const rewrite = async (bucket: string, key: string, person: string): Promise<'rewritten' | 'deleted'> => {
  // Read again: the pipeline may have rewritten the object since it was planned.
  const object = await getObjectText(bucket, key);
  const forgotten = object ? forgetInLines(object.text, person) : { text: '', changed: true, empty: true };
  if (forgotten.empty) return 'deleted';
  if (forgotten.changed) await putText(bucket, key, forgotten.text, 'application/x-ndjson');
  return 'rewritten';
};

/** Carries out a plan: deletes in batches of 1000, rewrites result lines; reports per object. */
export const executeErasure = async (plan: ErasurePlan): Promise<ErasureOutcome> => {
  const outcome: ErasureOutcome = { deleted: [], rewritten: [], failed: [] };
  const toDelete = plan.targets.filter((t) => t.action === 'delete').map((t) => t.key);
  for (const t of plan.targets.filter((x) => x.action === 'rewrite')) {
    try {
      if ((await rewrite(plan.bucket, t.key, plan.person ?? '')) === 'rewritten')
        outcome.rewritten.push(t.key);
      else toDelete.push(t.key);
    } catch (error) {
      outcome.failed.push({ key: t.key, reason: (error as Error).message });
    }
  }
  for (let i = 0; i < toDelete.length; i += DELETE_BATCH) {
    const keys = toDelete.slice(i, i + DELETE_BATCH);
    try {
      const out = await s3Client().send(
        new DeleteObjectsCommand({
          Bucket: plan.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: false },
        }),
      );
      const failed = new Map((out.Errors ?? []).map((e) => [e.Key ?? '', `${e.Code}: ${e.Message}`]));
      for (const k of keys) {
        const reason = failed.get(k);
        if (reason) outcome.failed.push({ key: k, reason });
        else outcome.deleted.push(k);
      }
    } catch (error) {
      for (const k of keys) outcome.failed.push({ key: k, reason: (error as Error).message });
    }
  }
  return outcome;
};
