import type { AgreementStats } from '../../core/teacher/agreement.js';
import type { Disagreement, TeacherBenchmark } from '../../core/teacher/benchmark.js';
import type { Box } from '../../core/types.js';
import { type Html, html, htmlText, joinHtml } from '../html/html.js';
import type { Thumb } from './runTeacherBenchmark.js';

const pct = (x: number | null): string =>
  x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`;
const num = (x: number | undefined, digits: number): string =>
  x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);

/** A box as CSS percentages of the photo; only numbers reach the style attribute. */
const boxStyle = (b: Box, width: number, height: number): string => {
  const clip = (v: number) => Math.min(100, Math.max(0, Number.isFinite(v) ? v : 0));
  const x1 = clip((b.x1 / width) * 100);
  const y1 = clip((b.y1 / height) * 100);
  const x2 = clip((b.x2 / width) * 100);
  const y2 = clip((b.y2 / height) * 100);
  return `left:${x1.toFixed(3)}%;top:${y1.toFixed(3)}%;width:${(x2 - x1).toFixed(3)}%;height:${(y2 - y1).toFixed(3)}%`;
};

const statsRow = (label: string, s: AgreementStats): Html =>
  html`<tr><th>${label}</th><td>${num(s.threshold, 3)}</td><td>${pct(s.agreement)}</td><td>${pct(s.precision)}</td><td>${pct(s.recall)}</td><td>${s.tp} / ${s.fp} / ${s.fn} / ${s.tn}</td></tr>`;

const verdict = (v: Disagreement['ours'] | Disagreement['teacher']): string =>
  v === 'match' ? 'match' : v === 'no_match' ? 'no match' : 'not detected';

const card = (d: Disagreement, thumb: Thumb | undefined, size: { width: number; height: number }): Html => {
  const boxes =
    thumb && size.width > 0 && size.height > 0
      ? [
          d.faceIndex !== undefined
            ? html`<div class="box ours ${d.ours}" style="${boxStyle(d.box, size.width, size.height)}"></div>`
            : '',
          d.teacherBox
            ? html`<div class="box teacher" style="${boxStyle(d.teacherBox, size.width, size.height)}"></div>`
            : '',
        ]
      : '';
  const picture = thumb
    ? html`<div class="pic" style="aspect-ratio:${thumb.width}/${thumb.height}"><img src="${thumb.dataUri}" alt="">${boxes}</div>`
    : html`<div class="pic none">no thumbnail</div>`;
  return html`<figure>${picture}<figcaption><div class="path">${d.path}</div><div>ours: <b>${verdict(d.ours)}</b> (score ${num(d.score, 3)})</div><div>teacher: <b>${verdict(d.teacher)}</b> (similarity ${num(d.similarity, 1)})</div></figcaption></figure>`;
};

/**
 * One self-contained page: the numbers, then every disagreement as a picture with our box
 * (solid: green where we say match, red where we do not) and the teacher's (dashed blue).
 * Thumbnails are inline base64, so the file can be mailed or opened anywhere.
 */
export const renderTeacherReport = (
  b: TeacherBenchmark,
  thumbnails: ReadonlyMap<string, Thumb>,
  sizes: ReadonlyMap<string, { width: number; height: number }>,
  maxCards = 200,
): string => {
  const cards = b.disagreements
    .slice(0, maxCards)
    .map((d) => card(d, thumbnails.get(d.path), sizes.get(d.path) ?? { width: 0, height: 0 }));
  const more =
    b.disagreements.length > maxCards
      ? html`<p>${b.disagreements.length - maxCards} more not shown.</p>`
      : '';
  const best = b.best;
  return htmlText(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>mespotter teacher report: ${b.person}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th:first-child{text-align:left}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
figure{margin:0;border:1px solid #ddd;padding:6px;background:#fafafa}
.pic{position:relative;width:100%}.pic img{width:100%;height:100%;display:block}
.pic.none{height:120px;display:flex;align-items:center;justify-content:center;color:#888}
.box{position:absolute;box-sizing:border-box}
.box.ours{border:3px solid #c62828}.box.ours.match{border-color:#2e7d32}
.box.teacher{border:2px dashed #1565c0}
.path{font-family:monospace;word-break:break-all;font-size:12px}
</style></head><body>
<h1>Teacher comparison: ${b.person}</h1>
<p>Teacher ${b.teacher} (match at similarity &ge; ${num(b.teacherThreshold, 0)}); our threshold ${num(b.threshold, 3)}.</p>
<p>Photos: ${b.photos.sampled} sampled, ${b.photos.compared} compared, ${b.photos.failed} teacher failures, ${b.photos.errors} unreadable.
Faces: ${b.faces.ours} ours, ${b.faces.paired} paired with the teacher's, ${b.faces.unpaired} unpaired;
${b.faces.teacherOnly} found only by the teacher (${b.faces.teacherOnlyMatches} of them the person).</p>
<table><tr><th></th><th>threshold</th><th>agreement</th><th>precision</th><th>recall</th><th>TP / FP / FN / TN</th></tr>
${statsRow('faces, current threshold', b.atThreshold)}
${best ? statsRow('faces, agreement-maximising threshold', best.stats) : ''}
${statsRow('photos, current threshold', b.photoLevel)}
</table>
<p>Teacher calls: ${b.calls} (${b.failures} failed, ${b.billedCalls} billed), cost $${b.costUsd.toFixed(4)} at $${b.pricing.perCallUsd} per call (${b.pricing.note}).</p>
<h2>Disagreements (${b.disagreements.length})</h2>
<p>Solid box: our face (green: we say match, red: we say no). Dashed blue: the teacher's face.</p>
<div class="grid">
${joinHtml(cards, '\n')}
</div>
${more}
</body></html>
`);
};
