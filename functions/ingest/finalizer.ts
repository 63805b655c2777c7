import type { FinalizeMessage } from '../shared/messages.js';
import { sendBatch } from '../shared/sendBatch.js';
import type { IngestSettings } from './ingestEnv.js';

/** A finalizer re-checks a run this many times before writing a summary with `pending` > 0. */
export const MAX_FINALIZE_ATTEMPTS = 96;

/** Linear back-off, capped at SQS's 15 min: a small run is summarised within a minute, a stuck one checked for ~20 h. */
export const finalizeDelay = (settings: IngestSettings, attempt: number): number =>
  Math.min(900, settings.finalizeDelaySeconds * (attempt + 1));

/** The finalizer's last check: write the summary whatever is still missing. */
export const isLastAttempt = (m: FinalizeMessage): boolean => m.attempt + 1 >= MAX_FINALIZE_ATTEMPTS;

/** Sends a finalizer (its first check, or the next one) to the ingest queue, delayed. */
export const armFinalizer = (settings: IngestSettings, m: FinalizeMessage): Promise<void> =>
  sendBatch(settings.ingestQueueUrl, [m], finalizeDelay(settings, m.attempt));

export const rearmFinalizer = (settings: IngestSettings, m: FinalizeMessage): Promise<void> =>
  armFinalizer(settings, { ...m, attempt: m.attempt + 1 });
