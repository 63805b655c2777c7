import { z } from 'zod';
import { searchedKey, searchedPrefix } from './keys.js';
import { listObjects } from './listObjects.js';
import { getObjectText, putJson } from './s3Objects.js';

export const searchedPersonSchema = z.object({
  name: z.string().min(1),
  threshold: z.number(),
  thresholdSource: z.string().optional(),
});
export type SearchedPerson = z.infer<typeof searchedPersonSchema>;

/**
 * results/<runId>/searched/<signature>.json: who verify searched a run's photos for, and with
 * which thresholds. Written once per verify container per set of people (a new enrolment or
 * threshold makes a new one), so the run summary can list everyone searched, not only who was found.
 */
export const searchedRecordSchema = z.object({
  at: z.string(),
  modelSetId: z.string(),
  people: z.array(searchedPersonSchema),
});
export type SearchedRecord = z.infer<typeof searchedRecordSchema>;

/** Records written (or being written) by this container; bounded, a rewrite is harmless. */
const written = new Map<string, Promise<void>>();
const WRITTEN_MAX = 1000;

export const recordSearched = (
  bucket: string,
  runId: string,
  people: { signature: string; modelSetId: string; thresholds: readonly SearchedPerson[] },
): Promise<void> => {
  const key = searchedKey(runId, people.signature);
  const known = written.get(key);
  if (known) return known;
  const record: SearchedRecord = {
    at: new Date().toISOString(),
    modelSetId: people.modelSetId,
    people: [...people.thresholds],
  };
  // One write for the photos of a batch that arrive together; a failed one is tried again next time.
  const writing = putJson(bucket, key, record).catch((error: unknown) => {
    written.delete(key);
    throw error;
  });
  if (written.size >= WRITTEN_MAX) written.clear();
  written.set(key, writing);
  return writing;
};

/**
 * Everyone searched during a run, by name (the latest record's threshold when it changed
 * mid-run), and the latest model set. Unreadable records are skipped: they only name people.
 */
export const readSearched = async (
  bucket: string,
  runId: string,
): Promise<{ people: SearchedPerson[]; modelSetId?: string }> => {
  const records: SearchedRecord[] = [];
  for await (const o of listObjects(bucket, searchedPrefix(runId))) {
    if (!o.Key) continue;
    const object = await getObjectText(bucket, o.Key);
    if (!object) continue;
    try {
      const parsed = searchedRecordSchema.safeParse(JSON.parse(object.text));
      if (parsed.success) records.push(parsed.data);
    } catch {
      // Not JSON: skipped, as above.
    }
  }
  records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const byName = new Map<string, SearchedPerson>();
  for (const r of records) for (const p of r.people) byName.set(p.name, p);
  const people = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const latest = records.at(-1);
  return latest ? { people, modelSetId: latest.modelSetId } : { people };
};
