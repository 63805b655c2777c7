import { describe, expect, it } from 'vitest';
import { renderContactSheet, type SheetEntry, SheetKind } from '../../cli/report/contactSheet.js';
import type { FaceResult, RunSummary } from '../../core/report/resultLine.js';

const summary: RunSummary = {
  runId: 'run-7',
  person: 'Zoë <admin>',
  threshold: 0.5,
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
};

function face(box: FaceResult['box'], score: number, match: boolean): FaceResult {
  return { box, detScore: 0.99, quality: 0.7, score, match };
}

describe('Function: renderContactSheet', () => {
  it('renders the summary numbers in the header', () => {
    // Prepare / Act
    const html = renderContactSheet(summary, []);

    // Assess
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('Zoë &lt;admin&gt;');
    expect(html).toContain('<th>no_match</th><td>100</td>');
    expect(html).toContain('<th>conflict</th><td>1</td>');
    expect(html).toContain('<th>corrupt_image</th><td>2</td>');
    expect(html).toContain('<th>corrupt_image</th><td>2</td></tr><tr><th>weird&lt;code&gt;</th><td>1</td>');
    expect(html).toContain('<tr><th>matched</th><td>3</td></tr><tr><th>no_match</th><td>100</td>');
    expect(html).toContain('<th>photos/s</th><td>12.3</td>');
    expect(html).toContain('<th>cache hits</th><td>40</td>');
    expect(html).toContain('dry run');
    expect(html).toContain('Matches (0)');
    expect(html).toContain('Near misses (review) (0)');
  });

  it('draws every face box as percentages of the original image and labels the match', () => {
    // Prepare: a 400x200 image, thumbnail 200x100
    const entry: SheetEntry = {
      kind: SheetKind.Match,
      path: 'trip/beach.jpg',
      thumb: 'thumbs/0.jpg',
      thumbWidth: 200,
      thumbHeight: 100,
      width: 400,
      height: 200,
      bestScore: 0.876,
      faces: [
        face({ x1: 100, y1: 50, x2: 200, y2: 150 }, 0.876, true),
        face({ x1: 0, y1: 0, x2: 40, y2: 20 }, 0.1, false),
      ],
    };

    // Act
    const html = renderContactSheet(summary, [entry]);

    // Assess
    expect(html).toContain('src="thumbs/0.jpg"');
    expect(html).toContain('aspect-ratio:200/100');
    expect(html).toContain(
      '<div class="face hit" style="left:25.000%;top:25.000%;width:25.000%;height:50.000%" title="score 0.88, detector 0.99"><span>0.88</span></div>',
    );
    expect(html).toContain('style="left:0.000%;top:0.000%;width:10.000%;height:10.000%"');
    expect(html.match(/class="face hit"/g)).toHaveLength(1);
    expect(html).toContain('Matches (1)');
  });

  it('highlights the best face of a near miss and puts it in the review grid', () => {
    // Prepare
    const entries: SheetEntry[] = [
      {
        kind: SheetKind.NearMiss,
        path: 'almost.jpg',
        width: 100,
        height: 100,
        bestScore: 0.45,
        faces: [
          face({ x1: 0, y1: 0, x2: 10, y2: 10 }, 0.2, false),
          face({ x1: 50, y1: 50, x2: 60, y2: 60 }, 0.45, false),
        ],
      },
    ];

    // Act
    const html = renderContactSheet(summary, entries);

    // Assess
    const review = html.slice(html.indexOf('Near misses (review) (1)'));
    expect(review).toContain('almost.jpg');
    expect(review).toContain('no thumbnail');
    expect(review).toContain('<div class="face best" style="left:50.000%;top:50.000%;');
    expect(review).toContain('<span>0.45</span>');
    expect(html).not.toContain('class="face hit"');
    expect(html).toContain('Matches (0)');
  });

  it('escapes hostile paths everywhere they appear', () => {
    // Prepare
    const path = `"><script>alert('x')</script><img src=x onerror=alert(1)>&amp;日本.jpg`;
    const entries: SheetEntry[] = [{ kind: SheetKind.Match, path, thumb: 'thumbs/1.jpg', faces: [] }];

    // Act
    const html = renderContactSheet({ ...summary, input: '<script>in</script>' }, entries);

    // Assess
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img src=x');
    const escaped =
      '&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;日本.jpg';
    expect(html).toContain(`alt="${escaped}"`);
    expect(html).toContain(`title="${escaped}"`);
    expect(html).toContain(`>${escaped}</span>`);
  });

  it('uses no external resources', () => {
    // Prepare
    const entries: SheetEntry[] = [
      { kind: SheetKind.Match, path: 'a.jpg', thumb: 'thumbs/0.jpg', faces: [] },
    ];

    // Act
    const html = renderContactSheet(summary, entries);

    // Assess
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<link\b/);
    expect([...html.matchAll(/src="([^"]*)"/g)].map((m) => m[1])).toEqual(['thumbs/0.jpg']);
  });

  it('draws no boxes when the original size is unknown and survives bad numbers', () => {
    // Prepare
    const entries: SheetEntry[] = [
      { kind: SheetKind.Match, path: 'a.jpg', faces: [face({ x1: 1, y1: 1, x2: 2, y2: 2 }, 0.9, true)] },
      {
        kind: SheetKind.Match,
        path: 'b.jpg',
        width: 100,
        height: 100,
        faces: [face({ x1: Number.NaN, y1: -50, x2: 500, y2: 20 }, 0.9, true)],
      },
    ];

    // Act
    const html = renderContactSheet(summary, entries);

    // Assess
    expect(html.match(/class="face/g)).toHaveLength(1);
    expect(html).toContain('style="left:0.000%;top:0.000%;width:100.000%;height:20.000%"');
    expect(html).not.toContain('NaN');
  });
});
