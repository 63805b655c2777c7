import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStoredSummary } from '../../cli/report/parseStoredSummary.js';
import { ReportFolder } from '../../cli/report/ReportFolder.js';
import { renderRunIndex } from '../../cli/report/runIndex.js';
import type { RunSummary } from '../../core/report/resultLine.js';

const summary: RunSummary = {
  runId: '2026-12-02T10-00-00-000Z-aaaaaa',
  people: [
    { name: 'alice', threshold: 0.5, photos: 2 },
    { name: '<b>bob</b>', threshold: 0.6, photos: 1 },
  ],
  modelSetId: 'm',
  input: '/in',
  output: '/out',
  dryRun: false,
  startedAt: '2026-12-02T10:00:00.000Z',
  finishedAt: '2026-12-02T10:00:05.000Z',
  seconds: 5,
  photosPerSecond: 2,
  total: 10,
  counts: { matched: 3, no_match: 7, no_face: 0, skipped: 0, error: 0 },
  copies: {},
  errorsByCode: {},
  cacheHits: 0,
};

/** What summary.json held before several people could be searched. */
const { people: _people, ...common } = summary;
const singlePerson = { ...common, runId: 'old', person: 'carol', threshold: 0.4, interrupted: true };

describe('Function: parseStoredSummary', () => {
  it('reads a current summary as is', () => {
    expect(parseStoredSummary(JSON.stringify(summary))).toEqual(summary);
  });

  it('reads a one-person summary of an earlier version as one person found in its matched photos', () => {
    expect(parseStoredSummary(JSON.stringify(singlePerson))?.people).toEqual([
      { name: 'carol', threshold: 0.4, photos: 3 },
    ]);
  });

  it('gives nothing for a file that is not a summary', () => {
    expect(parseStoredSummary('{"half":')).toBeUndefined();
    expect(parseStoredSummary('{}')).toBeUndefined();
  });
});

describe('Class: ReportFolder (index)', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mespotter-index-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('links every run with a readable summary, old or new, newest first, with the people searched', async () => {
    // Prepare
    const folder = await ReportFolder.open(dir, { isDefault: true });
    const write = async (runId: string, text: string) => {
      const runDir = await folder.createRunDir(runId);
      await writeFile(join(runDir, 'summary.json'), text);
    };
    await write('2026-12-01T09-00-00-000Z-old000', JSON.stringify(singlePerson));
    await write('2026-12-02T10-00-00-000Z-new000', JSON.stringify(summary));
    await write('2026-12-02T11-00-00-000Z-broken', '{"runId":');
    await mkdir(join(dir, 'runs', '2026-12-02T12-00-00-000Z-running'));

    // Act
    const index = await readFile(await folder.writeIndex(), 'utf8');

    // Assess
    const newer = index.indexOf('runs/2026-12-02T10-00-00-000Z-new000/report.html');
    const older = index.indexOf('runs/2026-12-01T09-00-00-000Z-old000/report.html');
    expect(newer).toBeGreaterThan(0);
    expect(older).toBeGreaterThan(newer);
    expect(index).not.toContain('broken');
    expect(index).not.toContain('running');
    expect(index).toContain('<td>alice (2), &lt;b&gt;bob&lt;/b&gt; (1)</td>');
    expect(index).toContain('<td>carol (3)</td>');
    expect(index).toContain('interrupted');
  });
});

describe('Function: renderRunIndex', () => {
  it('names at most five people per run', () => {
    // Prepare
    const people = Array.from({ length: 8 }, (_, i) => ({ name: `p${i}`, threshold: 0.5, photos: i }));

    // Act
    const html = renderRunIndex([{ runId: 'r', summary: { ...summary, people } }], 'runs');

    // Assess
    expect(html).toContain('<td>p0 (0), p1 (1), p2 (2), p3 (3), p4 (4) and 3 more</td>');
  });
});
