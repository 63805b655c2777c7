import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunReport, type RunReportMeta } from '../../cli/report/RunReport.js';
import { REFERENCE_BADGE } from '../../cli/report/renderCard.js';
import { LIST_ROW_CAP } from '../../cli/report/sheetModel.js';
import {
  CopyOutcome,
  type FaceResult,
  PhotoStatus,
  type ResultLine,
  resultLineSchema,
  runSummarySchema,
} from '../../core/report/resultLine.js';

/** Two people with different thresholds: default margin 0.08 puts alice's near misses from 0.42, bob's from 0.52. */
const meta: RunReportMeta = {
  runId: 'run-1',
  people: [
    { name: 'alice', threshold: 0.5, thresholdSource: 'cohort' },
    { name: 'bob', threshold: 0.6 },
  ],
  modelSetId: 'models-v1',
  input: '/photos',
  output: '/out',
  dryRun: false,
};

const box = { x1: 10, y1: 20, x2: 60, y2: 90 };

function known(person: string, score: number, extra: Partial<FaceResult> = {}): FaceResult {
  return { box, detScore: 0.9, quality: 0.8, person, score, decidedBy: 'auto', ...extra };
}

function unknown(best: string, score: number, extra: Partial<FaceResult> = {}): FaceResult {
  return { box, detScore: 0.9, quality: 0.8, person: null, score, best, ...extra };
}

function line(path: string, status: ResultLine['status'], extra: Partial<ResultLine> = {}): ResultLine {
  return { path, status, people: [], faces: [], ...extra };
}

function matched(path: string, faces: FaceResult[], extra: Partial<ResultLine> = {}): ResultLine {
  const people = [
    ...new Set(faces.map((f) => f.person).filter((p): p is string => p === 'alice' || p === 'bob')),
  ].sort();
  return line(path, PhotoStatus.Matched, {
    people,
    width: 200,
    height: 100,
    faces,
    copies: [{ people, outcome: CopyOutcome.Copied, destination: `/out/${path}` }],
    ...extra,
  });
}

function noMatch(path: string, faces: FaceResult[]): ResultLine {
  return line(path, PhotoStatus.NoMatch, { width: 200, height: 100, faces });
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

/** The HTML of one `<section id=...>` (sections do not nest). */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  expect(start, `section ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

/** A person's section split into its matches and its near misses. */
function personParts(html: string, index: number): { matches: string; near: string } {
  const s = section(html, `person-${index}`);
  const cut = s.indexOf('<h3>Near misses');
  return { matches: s.slice(0, cut), near: s.slice(cut) };
}

async function thumbFiles(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(join(dir, 'thumbs'))).sort();
  const out: Record<string, string> = {};
  for (const n of names) out[n] = await readFile(join(dir, 'thumbs', n), 'utf8');
  return out;
}

/** Every thumbnail the page points at, relative to the run folder. */
const srcs = (html: string): string[] => [...html.matchAll(/src="(thumbs\/\d+\.jpg)"/g)].map((m) => m[1]!);

describe('Class: RunReport', () => {
  let root: string;
  let dir: string;

  const newRunDir = async (name: string): Promise<string> => {
    const d = join(root, name);
    // A run's folder is always new (ReportFolder.createRunDir).
    await mkdir(d);
    return d;
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mespotter-report-'));
    dir = await newRunDir('report');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes one valid results line per add, in order, and counts them through the shared accumulator', async () => {
    // Prepare
    const report = await RunReport.open(dir, meta);
    const lines: ResultLine[] = [
      matched('a.jpg', [known('alice', 0.9), known('bob', 0.8)], { cached: true }),
      matched('b.jpg', [known('alice', 0.7)], {
        copies: [
          { people: ['alice'], outcome: CopyOutcome.Conflict, destination: '/out/b.jpg', reason: 'differs' },
        ],
      }),
      noMatch('c.jpg', [unknown('alice', 0.2)]),
      line('d.jpg', PhotoStatus.NoFace, { cached: true }),
      line('e.txt', PhotoStatus.Skipped, { code: 'skipped', reason: 'not a photo' }),
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
    expect(progress).toEqual({
      total: 8,
      byStatus: expectedCounts,
      copies: { copied: 1, already_present: 0, conflict: 1, dry_run: 0, failed: 0 },
      errorsByCode: { corrupt_image: 2, unknown: 1 },
      cacheHits: 2,
    });
    expect(summary).toMatchObject({ runId: 'run-1', total: 8, counts: expectedCounts, cacheHits: 2 });
    expect(summary.errorsByCode).toEqual({ corrupt_image: 2, unknown: 1 });
    expect(summary.people).toEqual([
      { name: 'alice', threshold: 0.5, thresholdSource: 'cohort', photos: 2 },
      { name: 'bob', threshold: 0.6, photos: 1 },
    ]);
    expect(summary.peakRssMb).toBeGreaterThan(0);
    expect('interrupted' in summary || 'expected' in summary).toBe(false);
    expect(Date.parse(summary.finishedAt)).toBeGreaterThanOrEqual(Date.parse(summary.startedAt));
    const onDisk = runSummarySchema.parse(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')));
    expect(onDisk).toEqual(summary);
    expect(await readFile(join(dir, 'report.html'), 'utf8')).not.toContain('Interrupted');
  });

  it('never reuses a folder that already holds a run: it refuses rather than truncate results.jsonl', async () => {
    // Prepare
    const first = await RunReport.open(dir, meta);
    await first.add(matched('old-1.jpg', [known('alice', 0.9)]), thumb('old'));
    await first.close();

    // Act
    const second = RunReport.open(dir, meta);

    // Assess
    await expect(second).rejects.toThrow(/EEXIST/);
    expect((await readLines(dir)).map((l) => l.path)).toEqual(['old-1.jpg']);
    expect(await readdir(join(dir, 'thumbs'))).toEqual(['0.jpg']);
  });

  it('gives each person a section and a photo with both of them a card in each, from one thumbnail file', async () => {
    // Prepare: by-person layout, so each person has their own copy (one copied, one failed)
    const report = await RunReport.open(dir, meta);
    const both = matched(
      'party/both.jpg',
      [known('alice', 0.81), known('bob', 0.77), unknown('carol', 0.1)],
      {
        copies: [
          { people: ['alice'], outcome: CopyOutcome.Copied, destination: '/out/alice/party/both.jpg' },
          {
            people: ['bob'],
            outcome: CopyOutcome.Failed,
            destination: '/out/bob/party/both.jpg',
            reason: 'disk full',
          },
        ],
      },
    );

    // Act
    await report.add(matched('solo/alice.jpg', [known('alice', 0.66)]), thumb('alice'));
    await report.add(both, thumb('both'));
    await report.add(noMatch('nobody.jpg', [unknown('alice', 0.1)]), thumb('nobody'));
    await report.close();

    // Assess: two thumbnails on disk, the shared one shown twice
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(await thumbFiles(dir)).toEqual({ '0.jpg': 'jpeg:alice', '1.jpg': 'jpeg:both' });
    expect(srcs(html).sort()).toEqual(['thumbs/0.jpg', 'thumbs/1.jpg', 'thumbs/1.jpg']);

    const alice = personParts(html, 0);
    const bob = personParts(html, 1);
    expect(alice.matches).toContain('<h2>alice <small>threshold 0.50 (cohort)</small></h2>');
    expect(alice.matches).toContain('Matches (2)');
    expect(alice.matches.indexOf('party/both.jpg')).toBeLessThan(alice.matches.indexOf('solo/alice.jpg'));
    expect(bob.matches).toContain('<h2>bob <small>threshold 0.60</small></h2>');
    expect(bob.matches).toContain('Matches (1)');
    expect(bob.matches).not.toContain('solo/alice.jpg');

    // In alice's section her face is the scored one and bob's is labelled by name; the reverse in bob's.
    expect(alice.matches).toContain('<span>0.81</span>');
    expect(alice.matches).toContain('<div class="face known"');
    expect(alice.matches).toContain('<span>bob</span>');
    expect(bob.matches).toContain('<span>0.77</span>');
    expect(bob.matches).toContain('<span>alice</span>');
    expect(bob.matches).not.toContain('<span>0.81</span>');
    // Each card shows the copy made for its person.
    expect(alice.matches).toContain('>copied</span>');
    expect(alice.matches).not.toContain('disk full');
    expect(bob.matches).toContain('>copy failed: disk full</span>');
    expect(bob.matches).not.toContain('>copied</span>');
    // Nobody's photo has no card anywhere, and no thumbnail was kept for it.
    expect(alice.matches + alice.near + bob.matches + bob.near).not.toContain('nobody.jpg');
  });

  it('finds near misses per person against that person threshold, best first', async () => {
    // Prepare
    const report = await RunReport.open(dir, meta);
    const lines = [
      noMatch('nm-bob.jpg', [unknown('bob', 0.55), unknown('alice', 0.3)]),
      noMatch('nm-alice-edge.jpg', [unknown('alice', 0.42)]),
      noMatch('too-far-for-bob.jpg', [unknown('bob', 0.51)]),
      // Over alice's threshold, left unknown because the runner-up was too close.
      noMatch('ambiguous.jpg', [unknown('alice', 0.58, { margin: 0.01 })]),
      // Alice is in it; an unknown face nearly was bob.
      matched('with-alice.jpg', [known('alice', 0.8), unknown('bob', 0.56)]),
      // Bob is in it already: his other near face is not a miss.
      matched('bob-present.jpg', [known('bob', 0.9), unknown('bob', 0.57)]),
      // Carol is not searched for: no section, but the list says who she is.
      noMatch('carol.jpg', [known('carol', 0.9), unknown('carol', 0.5)]),
    ];

    // Act
    for (const l of lines) await report.add(l);
    await report.close();

    // Assess
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const alice = personParts(html, 0);
    const bob = personParts(html, 1);
    expect(alice.near).toContain('Near misses (2)');
    expect(alice.near.indexOf('ambiguous.jpg')).toBeLessThan(alice.near.indexOf('nm-alice-edge.jpg'));
    expect(alice.near).toContain('over 0.50 but only 0.01 ahead of the runner-up');
    expect(alice.near).toContain('<span class="why">threshold 0.50</span>');
    for (const gone of ['nm-bob.jpg', 'with-alice.jpg', 'too-far', 'bob-present', 'carol']) {
      expect(alice.near).not.toContain(gone);
    }
    expect(bob.near).toContain('Near misses (2)');
    expect(bob.near.indexOf('with-alice.jpg')).toBeLessThan(bob.near.indexOf('nm-bob.jpg'));
    expect(bob.near).toContain('<div class="face best"');
    expect(bob.near).toContain('<span class="why">threshold 0.60</span>');
    expect(bob.near).toContain('with alice');
    for (const gone of ['too-far', 'bob-present', 'ambiguous', 'carol']) expect(bob.near).not.toContain(gone);
    expect(bob.matches).toContain('bob-present.jpg');
    const noMatchList = section(html, 'list-no_match');
    expect(noMatchList).toContain(
      '<td>carol.jpg</td><td>2</td><td>carol (not searched); nearest carol 0.50</td>',
    );
    expect(noMatchList).toContain('<td>nm-bob.jpg</td><td>2</td><td>nearest bob 0.55</td>');
  });

  it('counts a near miss exactly at threshold minus the default margin', async () => {
    // Prepare: alice 0.5 - 0.08 → 0.42 is in, 0.41 is out
    const report = await RunReport.open(dir, meta);

    // Act
    const wantsEdge = report.wantsThumbnail(noMatch('edge.jpg', [unknown('alice', 0.42)]));
    await report.add(noMatch('edge.jpg', [unknown('alice', 0.42)]));
    await report.add(noMatch('below.jpg', [unknown('alice', 0.41)]));
    await report.close();

    // Assess
    expect(wantsEdge).toBe(true);
    expect(report.wantsThumbnail(noMatch('below.jpg', [unknown('alice', 0.41)]))).toBe(false);
    const alice = personParts(await readFile(join(dir, 'report.html'), 'utf8'), 0);
    expect(alice.near).toContain('edge.jpg');
    expect(alice.near).not.toContain('below.jpg');
  });

  it('caps near misses per person and deletes a thumbnail only when no card uses it any more', async () => {
    // Prepare: room for one near miss per person; both.jpg is first a near miss of both
    const both = noMatch('both.jpg', [unknown('alice', 0.45), unknown('bob', 0.55)]);
    const aliceBetter = noMatch('alice-better.jpg', [unknown('alice', 0.48)]);
    const bobBetter = noMatch('bob-better.jpg', [unknown('bob', 0.58)]);
    const capped = { ...meta, maxSheetEntries: 1 };
    const keptDir = await newRunDir('kept');
    const goneDir = await newRunDir('gone');

    // Act: pushed out of alice's section only, then out of both
    const kept = await RunReport.open(keptDir, capped);
    await kept.add(both, thumb('both'));
    await kept.add(aliceBetter, thumb('alice-better'));
    await kept.close();
    const gone = await RunReport.open(goneDir, capped);
    await gone.add(both, thumb('both'));
    await gone.add(aliceBetter, thumb('alice-better'));
    await gone.add(bobBetter, thumb('bob-better'));
    await gone.close();

    // Assess
    const keptHtml = await readFile(join(keptDir, 'report.html'), 'utf8');
    expect(await thumbFiles(keptDir)).toEqual({ '0.jpg': 'jpeg:both', '1.jpg': 'jpeg:alice-better' });
    expect(personParts(keptHtml, 0).near).not.toContain('both.jpg');
    expect(personParts(keptHtml, 0).near).toContain('Near misses (2) <small>the 1 closest of 2</small>');
    expect(personParts(keptHtml, 1).near).toContain('src="thumbs/0.jpg"');

    const goneHtml = await readFile(join(goneDir, 'report.html'), 'utf8');
    expect(await thumbFiles(goneDir)).toEqual({ '1.jpg': 'jpeg:alice-better', '2.jpg': 'jpeg:bob-better' });
    expect(srcs(goneHtml).sort()).toEqual(['thumbs/1.jpg', 'thumbs/2.jpg']);
    expect(personParts(goneHtml, 1).near).not.toContain('both.jpg');
    // Still listed among the files that matched nobody.
    expect(section(goneHtml, 'list-no_match')).toContain('both.jpg');
  });

  it('tells the caller when a thumbnail would be kept', async () => {
    // Prepare
    const report = await RunReport.open(dir, { ...meta, maxSheetEntries: 1 });
    await report.add(noMatch('kept.jpg', [unknown('alice', 0.45)]));

    // Act
    const answers = {
      matched: report.wantsThumbnail(matched('m.jpg', [known('bob', 0.9)])),
      notSearched: report.wantsThumbnail(noMatch('c.jpg', [known('carol', 0.9)])),
      noFace: report.wantsThumbnail(line('nf.jpg', PhotoStatus.NoFace)),
      weaker: report.wantsThumbnail(noMatch('weak.jpg', [unknown('alice', 0.44)])),
      stronger: report.wantsThumbnail(noMatch('strong.jpg', [unknown('alice', 0.46)])),
      otherPersonHasRoom: report.wantsThumbnail(noMatch('b.jpg', [unknown('bob', 0.53)])),
    };
    await report.close();

    // Assess
    expect(answers).toEqual({
      matched: true,
      notSearched: false,
      noFace: false,
      weaker: false,
      stronger: true,
      otherPersonHasRoom: true,
    });
  });

  it('lists the files that matched nobody, had no face, failed or were skipped, with reasons, capped', async () => {
    // Prepare: more no-face files than a list shows
    const report = await RunReport.open(dir, meta);
    const noFaces = Array.from({ length: LIST_ROW_CAP + 3 }, (_, i) =>
      line(`nf-${String(i).padStart(5, '0')}.jpg`, PhotoStatus.NoFace),
    );

    // Act
    for (const l of noFaces) await report.add(l);
    await report.add(
      line('z-broken.jpg', PhotoStatus.Error, { code: 'corrupt_image', reason: 'bad huffman' }),
    );
    await report.add(
      line('a-gone.jpg', PhotoStatus.Error, { code: 'vanished', reason: 'deleted during the run' }),
    );
    await report.add(line('odd.jpg', PhotoStatus.Error));
    await report.add(line('notes.txt', PhotoStatus.Skipped, { code: 'skipped', reason: 'not a photo' }));
    await report.close();

    // Assess
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const nf = section(html, 'list-no_face');
    expect(nf).toContain(`<h2>No face (${(LIST_ROW_CAP + 3).toLocaleString('en-US')})</h2>`);
    expect(nf.match(/<tr><td>/g)).toHaveLength(LIST_ROW_CAP);
    expect(nf).toContain('nf-01999.jpg');
    expect(nf).not.toContain('nf-02000.jpg');
    expect(nf).toContain('<p class="more">and 3 more; see <a href="results.jsonl">results.jsonl</a></p>');

    const errors = section(html, 'list-error');
    expect(errors).toContain('<h2>Errors (3)</h2>');
    expect(errors).toContain('<tr><td>z-broken.jpg</td><td>corrupt_image</td><td>bad huffman</td></tr>');
    expect(errors).toContain('<tr><td>a-gone.jpg</td><td>vanished</td><td>deleted during the run</td></tr>');
    expect(errors).toContain('<tr><td>odd.jpg</td><td>unknown</td><td></td></tr>');
    // Grouped by code.
    expect(errors.indexOf('z-broken.jpg')).toBeLessThan(errors.indexOf('a-gone.jpg'));
    expect(errors).not.toContain('class="more"');
    expect(section(html, 'list-skipped')).toContain('<tr><td>notes.txt</td><td>not a photo</td></tr>');
    expect(section(html, 'list-no_match')).toContain('<p class="none">');
    // Every line is still in results.jsonl.
    expect(await readLines(dir)).toHaveLength(LIST_ROW_CAP + 7);
  });

  it('escapes malicious paths, names and reasons in the report page', async () => {
    // Prepare
    const evilName = '<img src=x onerror=alert(1)>';
    const report = await RunReport.open(dir, {
      ...meta,
      people: [{ name: evilName, threshold: 0.5, thresholdSource: '<script>src</script>' }],
      input: '<script>in</script>',
    });
    const evil = 'x/<script>alert("pwn")</script>&"\'.jpg';

    // Act
    await report.add(
      matched(evil, [known(evilName, 0.9), known('<b>carol</b>', 0.9)], {
        people: [evilName],
        copies: [
          {
            people: [evilName],
            outcome: CopyOutcome.Conflict,
            destination: '/out/"><script>d</script>',
            reason: '<script>r</script>',
          },
        ],
      }),
      thumb('evil'),
    );
    await report.add(
      line(`${evil}.err`, PhotoStatus.Error, { code: '<i>c', reason: '<script>why</script>' }),
    );
    await report.add(line(`${evil}.skip`, PhotoStatus.Skipped, { reason: '<script>skip</script>' }));
    await report.close();

    // Assess
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>carol');
    expect(html).not.toContain('<i>c');
    expect(html).toContain('x/&lt;script&gt;alert(&quot;pwn&quot;)&lt;/script&gt;&amp;&quot;&#39;.jpg');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect((await readLines(dir))[0]?.path).toBe(evil);
  });

  it('records an interrupted run in summary.json and says so on the page', async () => {
    // Prepare
    const report = await RunReport.open(dir, meta);
    for (const p of ['a.jpg', 'b.jpg', 'c.jpg']) await report.add(line(p, PhotoStatus.NoFace));

    // Act
    const summary = await report.close({ expected: 10, interrupted: true });

    // Assess
    expect(summary).toMatchObject({ total: 3, expected: 10, interrupted: true });
    const onDisk = runSummarySchema.parse(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')));
    expect(onDisk).toMatchObject({ total: 3, expected: 10, interrupted: true });
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Interrupted: 3 of 10 files done; run the same command again to continue.');
  });

  it('marks a reference photo matching itself on its card', async () => {
    // Prepare
    const report = await RunReport.open(dir, meta);

    // Act
    await report.add(matched('refs/alice-1.jpg', [known('alice', 0.99, { reference: true })]));
    await report.add(matched('trip/alice.jpg', [known('alice', 0.7)]));
    await report.close();

    // Assess
    const alice = personParts(await readFile(join(dir, 'report.html'), 'utf8'), 0).matches;
    expect(alice.split(REFERENCE_BADGE)).toHaveLength(2);
    const refCard = alice.slice(alice.lastIndexOf('<figure', alice.indexOf(REFERENCE_BADGE)));
    expect(refCard.slice(0, refCard.indexOf('</figure>'))).toContain('refs/alice-1.jpg');
    expect(alice).toContain('<div class="face hit ref"');
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
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const second = await report.close({ interrupted: true });

    // Assess
    expect(second).toBe(first);
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toBe(html);
    await expect(report.add(line('b.jpg', PhotoStatus.NoFace))).rejects.toThrow(/after close/);
    expect(await readLines(dir)).toHaveLength(1);
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
