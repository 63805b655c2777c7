import type { CopyOutcome, FaceResult, RunSummary } from '../../core/report/resultLine.js';
import { escapeHtml } from './escapeHtml.js';

/** Which grid of the contact sheet a photo belongs to. */
export const SheetKind = {
  Match: 'match',
  NearMiss: 'near_miss',
} as const;
export type SheetKind = (typeof SheetKind)[keyof typeof SheetKind];

/** One card of the contact sheet. */
export interface SheetEntry {
  kind: SheetKind;
  /** Photo path relative to the input root (untrusted text: always escaped). */
  path: string;
  /** Thumbnail path relative to the report directory, e.g. `thumbs/3.jpg`; absent when none was given. */
  thumb?: string;
  /** Thumbnail size in pixels; sets the card's aspect ratio so the face boxes line up. */
  thumbWidth?: number;
  thumbHeight?: number;
  /** Original image size in pixels: the space the face boxes are in. Without it no boxes are drawn. */
  width?: number;
  height?: number;
  bestScore?: number;
  faces: FaceResult[];
  copy?: CopyOutcome;
}

/** Fraction of `of` as a percentage clipped to the image; NaN and infinities become 0 so the CSS stays valid. */
function clip(value: number, of: number): number {
  const p = (value / of) * 100;
  return Number.isFinite(p) ? Math.min(100, Math.max(0, p)) : 0;
}

/** Numbers only reach the page through here, so a bad value cannot break the CSS. */
function pct(value: number): string {
  return value.toFixed(3);
}

function score(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(2);
}

function positiveInt(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}

function renderFaces(entry: SheetEntry): string {
  const width = positiveInt(entry.width);
  const height = positiveInt(entry.height);
  if (width === undefined || height === undefined) return '';
  // In a near miss no face matched; highlight the best one instead so the reviewer sees what nearly did.
  let highlighted = entry.faces.findIndex((f) => f.match);
  if (highlighted < 0 && entry.kind === SheetKind.NearMiss && entry.faces.length > 0) {
    highlighted = entry.faces.reduce(
      (best, f, i, all) => (f.score > (all[best]?.score ?? -Infinity) ? i : best),
      0,
    );
  }
  return entry.faces
    .map((face, i) => {
      const { x1, y1, x2, y2 } = face.box;
      // Clip each edge to the image first, so a box hanging off an edge is drawn as its visible part.
      const [l, r] = [clip(x1, width), clip(x2, width)].sort((a, b) => a - b) as [number, number];
      const [t, b] = [clip(y1, height), clip(y2, height)].sort((a, b) => a - b) as [number, number];
      const style = `left:${pct(l)}%;top:${pct(t)}%;width:${pct(r - l)}%;height:${pct(b - t)}%`;
      const title = `score ${score(face.score)}, detector ${score(face.detScore)}`;
      if (i !== highlighted) return `<div class="face" style="${style}" title="${title}"></div>`;
      const cls = face.match ? 'face hit' : 'face best';
      return `<div class="${cls}" style="${style}" title="${title}"><span>${score(face.score)}</span></div>`;
    })
    .join('');
}

function renderCard(entry: SheetEntry): string {
  const path = escapeHtml(entry.path);
  const tw = positiveInt(entry.thumbWidth) ?? positiveInt(entry.width);
  const th = positiveInt(entry.thumbHeight) ?? positiveInt(entry.height);
  const ratio = tw && th ? ` style="aspect-ratio:${tw}/${th}"` : '';
  const image = entry.thumb
    ? `<img src="${escapeHtml(entry.thumb)}" alt="${path}" loading="lazy"${tw && th ? ` width="${tw}" height="${th}"` : ''}>`
    : '<div class="nothumb">no thumbnail</div>';
  const copy =
    entry.copy !== undefined
      ? ` <span class="copy copy-${escapeHtml(entry.copy)}">${escapeHtml(entry.copy)}</span>`
      : '';
  return (
    `<figure class="card"><div class="frame"${ratio}>${image}${renderFaces(entry)}</div>` +
    `<figcaption><span class="score">${score(entry.bestScore)}</span>${copy}` +
    `<span class="path" title="${path}">${path}</span></figcaption></figure>`
  );
}

/** Rows keep the record's key order (status and copy counts come in their declared order). */
function renderTable(caption: string, rows: Record<string, number>): string {
  const keys = Object.keys(rows);
  const body =
    keys.length === 0
      ? '<tr><td colspan="2" class="none">none</td></tr>'
      : keys.map((k) => `<tr><th>${escapeHtml(k)}</th><td>${rows[k] ?? 0}</td></tr>`).join('');
  return `<table><caption>${escapeHtml(caption)}</caption>${body}</table>`;
}

function mostFirst(rows: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(rows).sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : 1)));
}

function renderGrid(title: string, entries: SheetEntry[], empty: string): string {
  const body =
    entries.length === 0
      ? `<p class="none">${escapeHtml(empty)}</p>`
      : `<div class="grid">${entries.map(renderCard).join('')}</div>`;
  return `<section><h2>${escapeHtml(title)} (${entries.length})</h2>${body}</section>`;
}

const css = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;padding:16px 24px;background:#f4f4f5;color:#18181b}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#52525b;margin:0 0 12px;word-break:break-all}
.tables{display:flex;flex-wrap:wrap;gap:16px}
table{border-collapse:collapse;background:#fff;border:1px solid #e4e4e7}
caption{text-align:left;font-weight:600;padding:2px 0}
th,td{padding:2px 8px;border-top:1px solid #e4e4e7;text-align:left}td{text-align:right}
.none{color:#71717a}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
.card{margin:0;background:#fff;border:1px solid #e4e4e7;border-radius:4px;overflow:hidden}
.frame{position:relative;background:#27272a;aspect-ratio:4/3}
.frame img{display:block;width:100%;height:100%}
.nothumb{color:#a1a1aa;padding:40px 8px;text-align:center}
.face{position:absolute;box-sizing:border-box;border:1px solid rgba(255,255,255,.7)}
.face.hit{border:2px solid #22c55e}.face.best{border:2px dashed #f59e0b}
.face span{position:absolute;left:-2px;bottom:100%;font:600 11px/1 monospace;padding:2px 3px;color:#000;background:#22c55e}
.face.best span{background:#f59e0b}
figcaption{padding:4px 6px;font-size:12px}
.score{font:600 12px monospace;margin-right:6px}
.copy{font-size:11px;padding:0 4px;border-radius:3px;background:#e4e4e7}
.copy-failed,.copy-conflict{background:#fecaca}
.path{display:block;word-break:break-all;color:#3f3f46}
`;

/**
 * Renders the whole report as one HTML page that opens straight from disk: inline CSS,
 * thumbnails by relative path, no scripts. Entries keep the order given within each grid.
 */
export function renderContactSheet(summary: RunSummary, entries: SheetEntry[]): string {
  const matches = entries.filter((e) => e.kind === SheetKind.Match);
  const nearMisses = entries.filter((e) => e.kind === SheetKind.NearMiss);
  const person = escapeHtml(summary.person);
  const meta = [
    `run ${escapeHtml(summary.runId)}`,
    `${escapeHtml(summary.input)} → ${escapeHtml(summary.output)}`,
    `threshold ${summary.threshold.toFixed(2)}`,
    `models ${escapeHtml(summary.modelSetId)}`,
    summary.dryRun ? 'dry run' : '',
    `${escapeHtml(summary.startedAt)} – ${escapeHtml(summary.finishedAt)}`,
  ]
    .filter((s) => s !== '')
    .join(' · ');
  const totals = {
    photos: summary.total,
    seconds: Math.round(summary.seconds * 10) / 10,
    'photos/s': Math.round(summary.photosPerSecond * 10) / 10,
    'cache hits': summary.cacheHits,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>mespotter: ${person}</title>
<style>${css}</style>
</head>
<body>
<header>
<h1>mespotter: ${person}</h1>
<p class="meta">${meta}</p>
<div class="tables">
${renderTable('Run', totals)}
${renderTable('Photos by status', summary.counts)}
${renderTable('Copies', summary.copies)}
${renderTable('Errors by code', mostFirst(summary.errorsByCode))}
</div>
</header>
${renderGrid('Matches', matches, 'No photo matched.')}
${renderGrid('Near misses (review)', nearMisses, 'No near misses.')}
</body>
</html>
`;
}
