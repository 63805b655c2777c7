import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ResultLine,
  type RunSummary,
  resultLineSchema,
  runSummarySchema,
} from '../../core/report/resultLine.js';

/** The newest run folder under a report folder (runs/<runId>, ids sort by time). */
export const latestRunDir = async (reportDir: string): Promise<string> => {
  const runs = (await readdir(join(reportDir, 'runs'))).sort();
  const last = runs.at(-1);
  if (!last) throw new Error(`no runs under ${reportDir}`);
  return join(reportDir, 'runs', last);
};

export const readRunLines = async (runDir: string): Promise<ResultLine[]> =>
  (await readFile(join(runDir, 'results.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => resultLineSchema.parse(JSON.parse(l)));

export const readRunSummary = async (runDir: string): Promise<RunSummary> =>
  runSummarySchema.parse(JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')));
