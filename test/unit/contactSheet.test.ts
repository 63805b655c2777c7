import { describe, expect, it } from 'vitest';
import { renderContactSheet } from '../../cli/report/contactSheet.js';
import { REFERENCE_BADGE } from '../../cli/report/renderCard.js';
import type { ContactSheet, SheetLists, SheetPhoto, SheetSection } from '../../cli/report/sheetModel.js';
import { CopyOutcome, type FaceResult, type RunSummary } from '../../core/report/resultLine.js';

const summary: RunSummary = {
  runId: 'run-7',
  people: [
    { name: 'Zoë <admin>', threshold: 0.5, thresholdSource: 'cohort', photos: 3 },
    { name: 'bob', threshold: 0.62, photos: 1 },
  ],
  modelSetId: 'models-v1',
  input: '/photos',
  output: '/out',
  dryRun: true,
  startedAt: '2024-01-01T00:00:00.000Z',
  finishedAt: '2024-01-01T00:00:10.000Z',
  seconds: 10,
  photosPerSecond: 12.345,
  total: 123,
  counts: { matched: 3, no_match: 100, no_face: 15, skipped: 2, error: 3 },
  copies: { copied: 2, already_present: 0, conflict: 1, dry_run: 0, failed: 0 },
  errorsByCode: { corrupt_image: 2, 'weird<code>': 1 },
  cacheHits: 40,
  peakRssMb: 321,
};

const noLists: SheetLists = {
  noMatch: { rows: [], total: 0 },
  noFace: { rows: [], total: 0 },
  error: { rows: [], total: 0 },
  skipped: { rows: [], total: 0 },
};

function face(box: FaceResult['box'], person: string | null, score: number, extra: Partial<FaceResult> = {}) {
  return { box, detScore: 0.99, quality: 0.7, person, score, ...extra } satisfies FaceResult;
}

function sectionOf(person: RunSummary['people'][number], extra: Partial<SheetSection> = {}): SheetSection {
  return { person, matches: [], nearMisses: [], nearMissesSeen: 0, ...extra };
}

function sheet(o: Partial<ContactSheet> = {}): ContactSheet {
  return {
    summary,
    sections: summary.people.map((p) => sectionOf(p)),
    lists: noLists,
    nearMissMargin: 0.08,
    ...o,
  };
}

/** The HTML of one `<section id=...>` (sections do not nest). */
function part(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  expect(start, `section ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

/** A 400x200 photo with a thumbnail of 200x100: zoë's face, bob's face and a stranger's. */
const group: SheetPhoto = {
  path: 'trip/beach.jpg',
  thumb: 'thumbs/0.jpg',
  thumbWidth: 200,
  thumbHeight: 100,
  width: 400,
  height: 200,
  faces: [
    face({ x1: 100, y1: 50, x2: 200, y2: 150 }, 'Zoë <admin>', 0.876, { margin: 0.3 }),
    face({ x1: 0, y1: 0, x2: 40, y2: 20 }, 'bob', 0.71),
    face({ x1: 300, y1: 100, x2: 340, y2: 140 }, null, 0.2, { best: 'bob' }),
  ],
  copies: [
    { people: ['Zoë <admin>'], outcome: CopyOutcome.DryRun, destination: '/out/Zoë/trip/beach.jpg' },
    { people: ['bob'], outcome: CopyOutcome.AlreadyPresent, destination: '/out/bob/trip/beach.jpg' },
  ],
};

describe('Function: renderContactSheet', () => {
  it('renders the run in the header: people with thresholds, counts, copies, flags, a link to all runs', () => {
    // Prepare / Act
    const html = renderContactSheet(
      sheet({ summary: { ...summary, interrupted: true, expected: 500 }, sections: [] }),
    );

    // Assess
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>mespotter: Zoë &lt;admin&gt;, bob</title>');
    expect(html).toContain('<a href="../../index.html">all runs</a>');
    expect(html).toContain('<th>no_match</th><td>100</td>');
    expect(html).toContain('<tr><th>matched</th><td>3</td></tr><tr><th>no_match</th><td>100</td>');
    expect(html).toContain('<th>conflict</th><td>1</td>');
    expect(html).toContain('<th>corrupt_image</th><td>2</td></tr><tr><th>weird&lt;code&gt;</th><td>1</td>');
    expect(html).toContain('<th>photos/s</th><td>12.3</td>');
    expect(html).toContain('<th>cache hits</th><td>40</td>');
    expect(html).toContain('<th>files found</th><td>500</td>');
    expect(html).toContain('<th>peak memory MiB</th><td>321</td>');
    expect(html).toContain(
      '<p class="flag interrupted">Interrupted: 123 of 500 files done; run the same command again to continue.</p>',
    );
    expect(html).toContain('<p class="flag dry">Dry run: nothing was copied.</p>');
    expect(html).not.toContain('<caption>Teacher</caption>');
  });

  it('lists every person searched with threshold, its source and photo count, and links their sections', () => {
    // Prepare / Act
    const html = renderContactSheet(
      sheet({ sections: summary.people.map((p, i) => sectionOf(p, { nearMissesSeen: i + 4 })) }),
    );

    // Assess
    expect(html).toContain(
      '<tr><th><a href="#person-0">Zoë &lt;admin&gt;</a></th><td>0.50</td><td class="text">cohort</td><td>3</td><td>4</td></tr>',
    );
    expect(html).toContain(
      '<tr><th><a href="#person-1">bob</a></th><td>0.62</td><td class="text"></td><td>1</td><td>5</td></tr>',
    );
    expect(part(html, 'person-0')).toContain(
      '<h2>Zoë &lt;admin&gt; <small>threshold 0.50 (cohort)</small></h2>',
    );
    expect(part(html, 'person-1')).toContain('No photo of bob.');
    expect(part(html, 'person-1')).toContain('No near misses.');
    expect(html).not.toContain('Interrupted');
  });

  it('boxes every face: the section person scored, other known people by name, strangers dim', () => {
    // Prepare: the same photo object in both sections
    const [zoe, bob] = summary.people as [RunSummary['people'][number], RunSummary['people'][number]];

    // Act
    const html = renderContactSheet(
      sheet({ sections: [sectionOf(zoe, { matches: [group] }), sectionOf(bob, { matches: [group] })] }),
    );

    // Assess
    const z = part(html, 'person-0');
    const b = part(html, 'person-1');
    expect(z).toContain('src="thumbs/0.jpg"');
    expect(z).toContain('aspect-ratio:200/100');
    expect(z).toContain(
      '<div class="face hit" style="left:25.000%;top:25.000%;width:25.000%;height:50.000%" ' +
        'title="Zoë &lt;admin&gt; · score 0.88 · margin 0.30 · detector 0.99"><span>0.88</span></div>',
    );
    expect(z).toContain(
      '<div class="face known" style="left:0.000%;top:0.000%;width:10.000%;height:10.000%" ' +
        'title="bob · score 0.71 · detector 0.99"><span>bob</span></div>',
    );
    expect(z).toContain(
      '<div class="face unknown" style="left:75.000%;top:50.000%;width:10.000%;height:20.000%" ' +
        'title="unknown (nearest bob) · score 0.20 · detector 0.99"></div>',
    );
    expect(z).toContain('<span class="others">with bob</span>');
    expect(z.match(/class="face hit"/g)).toHaveLength(1);
    // In bob's section his face is the hit and Zoë is the one labelled by name.
    expect(b).toContain('<div class="face hit" style="left:0.000%;top:0.000%;width:10.000%;height:10.000%"');
    expect(b).toContain('<span>Zoë &lt;admin&gt;</span>');
    expect(b).toContain('src="thumbs/0.jpg"');
  });

  it('shows the copy outcome for the section person on each card', () => {
    // Prepare
    const [zoe, bob] = summary.people as [RunSummary['people'][number], RunSummary['people'][number]];
    const outcomes = (copies: SheetPhoto['copies'], person = zoe) =>
      part(
        renderContactSheet(sheet({ sections: [sectionOf(person, { matches: [{ ...group, copies }] })] })),
        'person-0',
      ).match(/<span class="copy [^>]*>[^<]*<\/span>/g);
    const zoeCopy = (outcome: CopyOutcome, reason?: string) => [
      { people: ['Zoë <admin>'], outcome, destination: '/out/x.jpg', ...(reason ? { reason } : {}) },
    ];

    // Act / Assess
    expect(outcomes(zoeCopy(CopyOutcome.Copied))).toEqual([
      '<span class="copy copy-copied" title="/out/x.jpg">copied</span>',
    ]);
    expect(outcomes(zoeCopy(CopyOutcome.AlreadyPresent))?.[0]).toContain('>already there<');
    expect(outcomes(zoeCopy(CopyOutcome.Conflict, 'a different file is there'))?.[0]).toContain(
      '>conflict: a different file is there<',
    );
    expect(outcomes(zoeCopy(CopyOutcome.Failed, 'EACCES'))?.[0]).toContain('>copy failed: EACCES<');
    expect(outcomes(zoeCopy(CopyOutcome.DryRun))?.[0]).toContain('>dry run<');
    // Flat layout: one copy for everyone found, shown on each person's card.
    expect(
      outcomes(
        [{ people: ['Zoë <admin>', 'bob'], outcome: CopyOutcome.Copied, destination: '/out/x.jpg' }],
        bob,
      ),
    ).toHaveLength(1);
    // By person: only the person's own copy.
    expect(outcomes(group.copies, bob)).toEqual([
      '<span class="copy copy-already_present" title="/out/bob/trip/beach.jpg">already there</span>',
    ]);
    expect(outcomes(undefined)).toEqual(['<span class="copy copy-none">not copied</span>']);
  });

  it('highlights the faces that nearly were the person in their near misses', () => {
    // Prepare: a stranger nearest to bob at 0.58 (threshold 0.62), another over it but ambiguous
    const [, bob] = summary.people as [RunSummary['people'][number], RunSummary['people'][number]];
    const almost: SheetPhoto = {
      path: 'almost.jpg',
      width: 100,
      height: 100,
      faces: [
        face({ x1: 0, y1: 0, x2: 10, y2: 10 }, null, 0.2, { best: 'Zoë <admin>' }),
        face({ x1: 50, y1: 50, x2: 60, y2: 60 }, null, 0.58, { best: 'bob' }),
      ],
    };
    const ambiguous: SheetPhoto = {
      path: 'ambiguous.jpg',
      width: 100,
      height: 100,
      faces: [face({ x1: 0, y1: 0, x2: 10, y2: 10 }, null, 0.65, { best: 'bob', margin: 0.02 })],
    };

    // Act
    const html = renderContactSheet(
      sheet({
        sections: [
          sectionOf(bob, {
            nearMisses: [
              { photo: ambiguous, score: 0.65, faces: [0] },
              { photo: almost, score: 0.58, faces: [1] },
            ],
            nearMissesSeen: 7,
          }),
        ],
      }),
    );

    // Assess
    const near = part(html, 'person-0').slice(part(html, 'person-0').indexOf('<h3>Near misses'));
    expect(near).toContain('<h3>Near misses (7) <small>the 2 closest of 7</small></h3>');
    expect(near).toContain('within 0.08 under the threshold');
    expect(near).toContain('no thumbnail');
    expect(near).toContain('<div class="face best" style="left:50.000%;top:50.000%;');
    expect(near).toContain('<span class="score">0.58</span><span class="why">threshold 0.62</span>');
    expect(near).toContain('<span class="why">over 0.62 but only 0.02 ahead of the runner-up</span>');
    expect(near.match(/class="face best"/g)).toHaveLength(2);
    expect(near).toContain('<div class="face unknown" style="left:0.000%;top:0.000%;');
    expect(near).not.toContain('class="face hit"');
    expect(near).not.toContain('class="copy');
    expect(near.indexOf('ambiguous.jpg')).toBeLessThan(near.indexOf('almost.jpg'));
  });

  it('marks a reference photo matching itself, and a face labelled by hand', () => {
    // Prepare
    const [zoe] = summary.people as [RunSummary['people'][number]];
    const ref: SheetPhoto = {
      path: 'refs/zoe.jpg',
      width: 10,
      height: 10,
      faces: [
        face({ x1: 1, y1: 1, x2: 9, y2: 9 }, 'Zoë <admin>', 1, { reference: true, decidedBy: 'human' }),
      ],
    };

    // Act
    const html = renderContactSheet(sheet({ sections: [sectionOf(zoe, { matches: [ref, group] })] }));

    // Assess
    expect(html).toContain(`<span class="badge ref">${REFERENCE_BADGE}</span>`);
    expect(html.split(REFERENCE_BADGE)).toHaveLength(2);
    expect(html).toContain('<span class="badge human">labelled by hand</span>');
    expect(html).toContain('<div class="face hit ref"');
    expect(html).toContain('labelled by hand · enrolled reference');
  });

  it('lists files with their reasons and says how many more are in results.jsonl', () => {
    // Prepare
    const lists: SheetLists = {
      noMatch: {
        rows: [{ path: 'crowd.jpg', faces: 4, known: ['carol'], nearest: { person: 'bob', score: 0.3 } }],
        total: 1,
      },
      noFace: { rows: [{ path: 'sky.jpg' }, { path: 'sea.jpg' }], total: 2_345 },
      error: {
        rows: [{ path: 'bad.jpg', code: 'corrupt_image', reason: 'premature end of data' }],
        total: 1,
      },
      skipped: { rows: [], total: 0 },
    };

    // Act
    const html = renderContactSheet(sheet({ lists }));

    // Assess
    expect(part(html, 'list-no_match')).toContain(
      '<tr><td>crowd.jpg</td><td>4</td><td>carol (not searched); nearest bob 0.30</td></tr>',
    );
    const nf = part(html, 'list-no_face');
    expect(nf).toContain('<h2>No face (2,345)</h2>');
    expect(nf).toContain('<p class="more">and 2,343 more; see <a href="results.jsonl">results.jsonl</a></p>');
    const err = part(html, 'list-error');
    expect(err).toContain('<thead><tr><th>file</th><th>code</th><th>reason</th></tr></thead>');
    expect(err).toContain('<tr><td>bad.jpg</td><td>corrupt_image</td><td>premature end of data</td></tr>');
    expect(err).not.toContain('class="more"');
    expect(part(html, 'list-skipped')).toContain(
      '<h2>Skipped (0)</h2><p class="none">Nothing was skipped.</p>',
    );
    expect(html).toContain('<a href="#list-error">errors</a>');
  });

  it('escapes hostile paths, names and reasons everywhere they appear', () => {
    // Prepare
    const path = `"><script>alert('x')</script><img src=x onerror=alert(1)>&amp;日本.jpg`;
    const name = '"><script>n</script>';
    const hostile: RunSummary = {
      ...summary,
      runId: '<script>id</script>',
      input: '<script>in</script>',
      people: [{ name, threshold: 0.5, thresholdSource: '<script>s</script>', photos: 1 }],
    };
    const photo: SheetPhoto = {
      path,
      thumb: 'thumbs/1.jpg',
      width: 10,
      height: 10,
      faces: [
        face({ x1: 1, y1: 1, x2: 5, y2: 5 }, name, 0.9),
        face({ x1: 5, y1: 5, x2: 9, y2: 9 }, '<img src=x onerror=alert(2)>', 0.9),
      ],
      copies: [
        { people: [name], outcome: CopyOutcome.Failed, destination: '"><script>', reason: '<script>' },
      ],
    };
    const lists: SheetLists = {
      ...noLists,
      error: { rows: [{ path, code: '<script>c', reason: '<img src=x onerror=alert(3)>' }], total: 1 },
      skipped: { rows: [{ path, reason: '<script>r' }], total: 1 },
    };

    // Act
    const html = renderContactSheet(
      sheet({ summary: hostile, sections: [sectionOf(hostile.people[0]!, { matches: [photo] })], lists }),
    );

    // Assess
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img src=x');
    const escaped =
      '&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;日本.jpg';
    expect(html).toContain(`alt="${escaped}"`);
    expect(html).toContain(`title="${escaped}"`);
    expect(html).toContain(`>${escaped}</span>`);
    expect(html).toContain(`<tr><td>${escaped}</td>`);
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });

  it('uses no external resources and no scripts', () => {
    // Prepare
    const [zoe] = summary.people as [RunSummary['people'][number]];
    const photo: SheetPhoto = { path: 'a.jpg', thumb: 'thumbs/0.jpg', faces: [] };

    // Act
    const html = renderContactSheet(
      sheet({
        summary: {
          ...summary,
          teacher: { routed: 1, calls: 1, failures: 0, rateLimited: 0, overturned: 1, costUsd: 0.001 },
        },
        sections: [sectionOf(zoe, { matches: [photo] })],
      }),
    );

    // Assess
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<link\b/);
    expect(html).not.toMatch(/<script\b/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect([...html.matchAll(/src="([^"]*)"/g)].map((m) => m[1])).toEqual(['thumbs/0.jpg']);
    expect(html).toContain('<caption>Teacher</caption>');
    expect(html).toContain('<th>cost USD</th><td>0.0010</td>');
  });

  it('draws no boxes when the original size is unknown and survives bad numbers', () => {
    // Prepare
    const [zoe] = summary.people as [RunSummary['people'][number]];
    const matches: SheetPhoto[] = [
      { path: 'a.jpg', faces: [face({ x1: 1, y1: 1, x2: 2, y2: 2 }, 'Zoë <admin>', 0.9)] },
      {
        path: 'b.jpg',
        width: 100,
        height: 100,
        faces: [face({ x1: Number.NaN, y1: -50, x2: 500, y2: 20 }, 'Zoë <admin>', Number.NaN)],
      },
    ];

    // Act
    const html = renderContactSheet(
      sheet({ summary: { ...summary, seconds: Number.NaN }, sections: [sectionOf(zoe, { matches })] }),
    );

    // Assess
    expect(html.match(/class="face/g)).toHaveLength(1);
    expect(html).toContain('style="left:0.000%;top:0.000%;width:100.000%;height:20.000%"');
    expect(html).not.toContain('NaN');
  });

  it('names at most three people in the title of a run over many', () => {
    // Prepare
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `p${i}`, threshold: 0.5, photos: 0 }));

    // Act
    const html = renderContactSheet(sheet({ summary: { ...summary, people: many }, sections: [] }));

    // Assess
    expect(html).toContain('<title>mespotter: p0, p1, p2 and 9 more</title>');
  });
});
