import { addTeacherUsage, type TeacherUsage } from '../teacher/teacherLine.js';
import { CopyOutcome, PhotoStatus, type ResultLine, type RunSummary } from './resultLine.js';

/** Error code counted for an error line that carries none. */
const UNKNOWN_ERROR_CODE = 'unknown';

const zeroed = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export interface RunMeta {
  runId: string;
  people: readonly { name: string; threshold: number; thresholdSource?: string }[];
  modelSetId: string;
  input: string;
  output: string;
  dryRun: boolean;
  startedAt: Date;
}

/**
 * The run summary, built line by line: the CLI's report and the cloud's summarizer add the same
 * lines and get the same counts. Pure (no I/O).
 */
export class RunSummaryAccumulator {
  readonly byStatus = zeroed(Object.values(PhotoStatus));
  readonly copies = zeroed(Object.values(CopyOutcome));
  readonly errorsByCode: Record<string, number> = {};
  readonly photosByPerson = new Map<string, number>();
  total = 0;
  cacheHits = 0;
  teacher: TeacherUsage | undefined;

  add(line: ResultLine): void {
    this.total += 1;
    this.byStatus[line.status] += 1;
    for (const c of line.copies ?? []) this.copies[c.outcome] += 1;
    if (line.status === PhotoStatus.Error) {
      const code = line.code ?? UNKNOWN_ERROR_CODE;
      this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
    }
    if (line.cached) this.cacheHits += 1;
    for (const p of line.people) this.photosByPerson.set(p, (this.photosByPerson.get(p) ?? 0) + 1);
    for (const t of line.teacher ?? []) this.teacher = addTeacherUsage(this.teacher, t);
  }

  summary(
    meta: RunMeta,
    end: { finishedAt?: Date; expected?: number; interrupted?: boolean; peakRssMb?: number } = {},
  ): RunSummary {
    const finishedAt = end.finishedAt ?? new Date();
    const seconds = (finishedAt.getTime() - meta.startedAt.getTime()) / 1000;
    return {
      runId: meta.runId,
      people: meta.people.map((p) => ({
        name: p.name,
        threshold: p.threshold,
        ...(p.thresholdSource ? { thresholdSource: p.thresholdSource } : {}),
        photos: this.photosByPerson.get(p.name) ?? 0,
      })),
      modelSetId: meta.modelSetId,
      input: meta.input,
      output: meta.output,
      dryRun: meta.dryRun,
      startedAt: meta.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds,
      photosPerSecond: seconds > 0 ? this.total / seconds : 0,
      total: this.total,
      counts: { ...this.byStatus },
      copies: { ...this.copies },
      errorsByCode: { ...this.errorsByCode },
      cacheHits: this.cacheHits,
      ...(end.peakRssMb !== undefined ? { peakRssMb: end.peakRssMb } : {}),
      ...(this.teacher ? { teacher: this.teacher } : {}),
      ...(end.expected !== undefined ? { expected: end.expected } : {}),
      ...(end.interrupted ? { interrupted: true } : {}),
    };
  }
}
