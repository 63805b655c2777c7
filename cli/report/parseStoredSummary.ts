import { z } from 'zod';
import { type RunSummary, runSummarySchema } from '../../core/report/resultLine.js';

/** A summary.json written before several people could be searched: one `person` and its `threshold`. */
const singlePersonSummarySchema = runSummarySchema.omit({ people: true }).extend({
  person: z.string(),
  threshold: z.number(),
});

/**
 * A run's summary.json as the index needs it, or undefined when it is unreadable. Earlier runs'
 * one-person summaries are read as a one-person `people`, so the index keeps linking them.
 */
export const parseStoredSummary = (text: string): RunSummary | undefined => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const current = runSummarySchema.safeParse(json);
  if (current.success) return current.data;
  const old = singlePersonSummarySchema.safeParse(json);
  if (!old.success) return undefined;
  const { person, threshold, ...rest } = old.data;
  return { ...rest, people: [{ name: person, threshold, photos: rest.counts['matched'] ?? 0 }] };
};
