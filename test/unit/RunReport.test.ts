import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunReport, type RunReportMeta } from '../../cli/report/RunReport.js';
import {
  CopyOutcome,
  type FaceResult,
  PhotoStatus,
  type ResultLine,
  resultLineSchema,
  runSummarySchema,
} from '../../core/report/resultLine.js';

const meta: RunReportMeta = {
  runId: 'run-1',
  person: 'alice',
  threshold: 0.5,
  modelSetId: 'models-v1',
  input: '/photos',
  output: '/out',
  dryRun: false,
};

function face(score: number, match = false): FaceResult {
  return { box: { x1: 10, y1: 20, x2: 60, y2: 90 }, detScore: 0.9, quality: 0.8, score, match };
}

function line(path: string, status: ResultLine['status'], extra: Partial<ResultLine> = {}): ResultLine {
  return { path, status, person: 'alice', threshold: 0.5, faces: [], ...extra };
}

function matched(path: string, score: number, extra: Partial<ResultLine> = {}): ResultLine {
  return line(path, PhotoStatus.Matched, {
    width: 200,
    height: 100,
    bestScore: score,
    faces: [face(score, true), face(0.1)],
    copy: { outcome: CopyOutcome.Copied, destination: `/out/${path}` },
    ...extra,
  });
}

function noMatch(path: string, score: number): ResultLine {
  return line(path, PhotoStatus.NoMatch, { width: 200, height: 100, bestScore: score, faces: [face(score)] });
}

/** Not a real JPEG: the report stores bytes, it never decodes them. */
function thumb(tag: string) {
  return { jpeg: Buffer.from(`jpeg:${tag}`), width: 100, height: 50 };
}

async function readLines(dir: string): Promise<ResultLine[]> {
  const text = await readFile(join(dir, 'results.jsonl'), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((l) => resultLineSchema.parse(JSON.parse(l)));
}

describe('Class: RunReport', () => {
  let dir: string;

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'mespotter-report-')), 'report');
    // A run's folder is always new (ReportFolder.createRunDir).
    await mkdir(dir);
  });

  afterEach(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('writes one valid results line per add, in order, and a summary with the counts', async () => {
    // Prepare
    const report = await RunReport.open(dir, meta);
    const lines: ResultLine[] = [
      matched('a.jpg', 0.9, { cached: true }),
      matched('b.jpg', 0.7, {
        copy: { outcome: CopyOutcome.Conflict, destination: '/out/b.jpg', reason: 'differs' },
      }),
      noMatch('c.jpg', 0.2),
      line('d.jpg', PhotoStatus.NoFace, { cached: true }),
      line('e.txt', PhotoStatus.Skipped, { code: 'unsupported_format' }),
      line('f.jpg', PhotoStatus.Error, { code: 'corrupt_image', reason: 'bad huffman' }),
      line('g.jpg', PhotoStatus.Error, { code: 'corrupt_image' }),
      line('h.jpg', PhotoStatus.Error),
    ];

    // Act
    for (const l of lines) await report.add(l);
    const progress = report.counts();
    const summary = await report.close();

    // Assess
    expect(await readLines(dir)).toEqual(lines);
    const expectedCounts = { matched: 2, no_match: 1, no_face: 1, skipped: 1, error: 3 };
    expect(progress.byStatus).toEqual(expectedCounts);
    expect(progress.total).toBe(8);
    expect(summary.total).toBe(8);
    expect(summary.counts).toEqual(expectedCounts);
    expect(summary.copies).toEqual({ copied: 1, already_present: 0, conflict: 1, dry_run: 0, failed: 0 });
    expect(summary.errorsByCode).toEqual({ corrupt_image: 2, unknown: 1 });
    expect(summary.cacheHits).toBe(2);
    expect(summary.runId).toBe('run-1');
    expect(summary.person).toBe('alice');
    expect(Date.parse(summary.finishedAt)).toBeGreaterThanOrEqual(Date.parse(summary.startedAt));
    const onDisk = runSummarySchema.parse(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')));
    expect(onDisk).toEqual(summary);
  });

  it('never reuses a folder that already holds a run: it refuses rather than truncate results.jsonl', async () => {
    // Prepare
    const first = await RunReport.open(dir, meta);
    await first.add(matched('old-1.jpg', 0.9), thumb('old'));
    await first.close();

    // Act
    const second = RunReport.open(dir, meta);

    // Assess
    await expect(second).rejects.toThrow(/EEXIST/);
    expect((await readLines(dir)).map((l) => l.path)).toEqual(['old-1.jpg']);
    expect(await readdir(join(dir, 'thumbs'))).toEqual(['0.jpg']);
  });

  it('keeps matches and near misses for the sheet, capped to the highest scoring near misses', async () => {
    // Prepare: threshold 0.5, margin 0.1 → near miss from 0.4; room for 2
    const report = await RunReport.open(dir, { ...meta, nearMissMargin: 0.1, maxSheetEntries: 2 });
    const candidates: [string, number][] = [
      ['nm-041.jpg', 0.41],
      ['nm-045.jpg', 0.45],
      ['far-039.jpg', 0.39],
      ['nm-043.jpg', 0.43],
      ['nm-048.jpg', 0.48],
      ['nm-040.jpg', 0.4],
    ];

    // Act
    await report.add(matched('m1.jpg', 0.8), thumb('m1'));
    for (const [path, score] of candidates) {
      await report.add(noMatch(path, score), thumb(path));
    }
    await report.add(line('noface.jpg', PhotoStatus.NoFace), thumb('noface'));
    await report.close();

    // Assess
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const review = html.slice(html.indexOf('Near misses (review)'));
    expect(review).toContain('nm-048.jpg');
    expect(review).toContain('nm-045.jpg');
    expect(review.indexOf('nm-048.jpg')).toBeLessThan(review.indexOf('nm-045.jpg'));
    for (const gone of ['nm-041.jpg', 'nm-043.jpg', 'nm-040.jpg', 'far-039.jpg', 'noface.jpg']) {
      expect(html).not.toContain(gone);
    }
    const matchesSection = html.slice(html.indexOf('Matches'), html.indexOf('Near misses (review)'));
    expect(matchesSection).toContain('m1.jpg');

    // Only the kept cards' thumbnails stay on disk, and each one the page points at exists.
    const files = (await readdir(join(dir, 'thumbs'))).sort();
    expect(files).toHaveLength(3);
    const srcs = [...html.matchAll(/src="(thumbs\/\d+\.jpg)"/g)].map((m) => m[1]);
    expect(srcs.map((s) => s?.slice('thumbs/'.length)).sort()).toEqual(files);
    const contents = await Promise.all(files.map((f) => readFile(join(dir, 'thumbs', f), 'utf8')));
    expect(contents.sort()).toEqual(['jpeg:m1', 'jpeg:nm-045.jpg', 'jpeg:nm-048.jpg']);
  });

  it('counts a near miss exactly at threshold minus the default margin', async () => {
    // Prepare: default margin 0.08 with threshold 0.5 → 0.42 is in, 0.41 is out
    const report = await RunReport.open(dir, meta);

    // Act
    const wantsEdge = report.wantsThumbnail(noMatch('edge.jpg', 0.42));
    await report.add(noMatch('edge.jpg', 0.42));
    await report.add(noMatch('below.jpg', 0.41));
    await report.close();

    // Assess
    expect(wantsEdge).toBe(true);
    expect(report.wantsThumbnail(noMatch('below.jpg', 0.41))).toBe(false);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('edge.jpg');
    expect(html).not.toContain('below.jpg');
  });

  it('tells the caller when a thumbnail would be kept', async () => {
    // Prepare
    const report = await RunReport.open(dir, { ...meta, maxSheetEntries: 1 });
    await report.add(noMatch('kept.jpg', 0.45));

    // Act
    const answers = {
      matched: report.wantsThumbnail(matched('m.jpg', 0.9)),
      noFace: report.wantsThumbnail(line('nf.jpg', PhotoStatus.NoFace)),
      weaker: report.wantsThumbnail(noMatch('weak.jpg', 0.44)),
      stronger: report.wantsThumbnail(noMatch('strong.jpg', 0.46)),
    };
    await report.close();

    // Assess
    expect(answers).toEqual({ matched: true, noFace: false, weaker: false, stronger: true });
  });

  it('escapes a malicious path in the report page', async () => {
    // Prepare
    const report = await RunReport.open(dir, meta);
    const evil = 'x/<script>alert("pwn")</script>&"\'.jpg';

    // Act
    await report.add(matched(evil, 0.9), thumb('evil'));
    await report.close();

    // Assess
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('x/&lt;script&gt;alert(&quot;pwn&quot;)&lt;/script&gt;&amp;&quot;&#39;.jpg');
    expect((await readLines(dir))[0]?.path).toBe(evil);
  });

  it('respects backpressure and still writes every line', async () => {
    // Prepare: lines far larger than the stream's buffer force drains
    const report = await RunReport.open(dir, meta);
    const big = 'p'.repeat(40_000);
    const lines = Array.from({ length: 20 }, (_, i) => line(`${big}-${i}.jpg`, PhotoStatus.NoFace));

    // The stream is private; peeking at it is the only way to see that add waited for the drain.
    const stream = (report as unknown as { stream: Writable }).stream;

    // Act
    await report.add(lines[0]!);
    const needDrainAfterAdd = stream.writableNeedDrain;
    await Promise.all(lines.slice(1).map((l) => report.add(l)));
    const needDrainAfterAll = stream.writableNeedDrain;
    await report.close();

    // Assess
    expect(needDrainAfterAdd).toBe(false);
    expect(needDrainAfterAll).toBe(false);
    expect((await readLines(dir)).map((l) => l.path)).toEqual(lines.map((l) => l.path));
  });

  it('refuses adds after close and returns the same summary when closed twice', async () => {
    // Prepare
    const report = await RunReport.open(dir, meta);
    await report.add(line('a.jpg', PhotoStatus.NoFace));

    // Act
    const first = await report.close();
    const second = await report.close();

    // Assess
    expect(second).toBe(first);
    await expect(report.add(line('b.jpg', PhotoStatus.NoFace))).rejects.toThrow(/after close/);
  });

  it('fails to open when results.jsonl cannot be written', async () => {
    // Prepare: a directory where the results file should go
    await mkdir(join(dir, 'results.jsonl'), { recursive: true });

    // Act
    const opening = RunReport.open(dir, meta);

    // Assess
    await expect(opening).rejects.toThrow(/EEXIST|EISDIR/);
  });
});
