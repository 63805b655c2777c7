import type { RunSummary } from '../../core/report/resultLine.js';
import { type Html, html, htmlText, joinHtml } from '../html/html.js';
import { CardKind, renderCard } from './renderCard.js';
import { LIST_IDS, renderFileLists } from './renderFileLists.js';
import { count, score } from './sheetFormat.js';
import type { ContactSheet, SheetSection } from './sheetModel.js';

/** People named in the title before "and N more" (a run over everyone enrolled can search hundreds). */
const TITLE_NAMES = 3;

/** Section ids are positional, so no person's name ever has to be a valid id. */
export const sectionId = (index: number): string => `person-${index}`;

/** Rows keep the record's key order (status and copy counts come in their declared order). */
const renderTable = (caption: string, rows: Record<string, number | string>): Html => {
  const keys = Object.keys(rows);
  const body =
    keys.length === 0
      ? html`<tr><td colspan="2" class="none">none</td></tr>`
      : keys.map((k) => {
          const v = rows[k] ?? 0;
          return html`<tr><th>${k}</th><td>${typeof v === 'number' ? count(v) : v}</td></tr>`;
        });
  return html`<table><caption>${caption}</caption>${body}</table>`;
};

const mostFirst = (rows: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(rows).sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : 1)));

const namesForTitle = (summary: RunSummary): string => {
  const names = summary.people.map((p) => p.name);
  if (names.length === 0) return 'nobody searched';
  if (names.length <= TITLE_NAMES) return names.join(', ');
  return `${names.slice(0, TITLE_NAMES).join(', ')} and ${names.length - TITLE_NAMES} more`;
};

const renderPeopleTable = (sheet: ContactSheet): Html => {
  const rows = sheet.sections.map((s, i) => {
    const p = s.person;
    return html`<tr><th><a href="#${sectionId(i)}">${p.name}</a></th><td>${score(p.threshold)}</td><td class="text">${p.thresholdSource ?? ''}</td><td>${count(p.photos)}</td><td>${count(s.nearMissesSeen)}</td></tr>`;
  });
  const body = rows.length > 0 ? rows : html`<tr><td colspan="5" class="none">nobody</td></tr>`;
  return html`<table class="people"><caption>People searched</caption><tr><th>person</th><th>threshold</th><th>from</th><th>photos</th><th>near misses</th></tr>${body}</table>`;
};

const renderFlags = (summary: RunSummary): Html => {
  const flags: Html[] = [];
  if (summary.interrupted) {
    const done =
      summary.expected !== undefined
        ? `${count(summary.total)} of ${count(summary.expected)} files done`
        : `stopped after ${count(summary.total)} files`;
    flags.push(
      html`<p class="flag interrupted">Interrupted: ${done}; run the same command again to continue.</p>`,
    );
  }
  if (summary.dryRun) flags.push(html`<p class="flag dry">Dry run: nothing was copied.</p>`);
  return joinHtml(flags, '\n');
};

const renderSection = (section: SheetSection, index: number, nearMissMargin: number): Html => {
  const { person } = section;
  const name = person.name;
  const matches =
    section.matches.length === 0
      ? html`<p class="none">No photo of ${name}.</p>`
      : html`<div class="grid">${section.matches.map((photo) =>
          renderCard({ photo, person: name, threshold: person.threshold, kind: CardKind.Match }),
        )}</div>`;
  const shownNote =
    section.nearMissesSeen > section.nearMisses.length
      ? html` <small>the ${count(section.nearMisses.length)} closest of ${count(section.nearMissesSeen)}</small>`
      : '';
  const near =
    section.nearMisses.length === 0
      ? html`<p class="none">No near misses.</p>`
      : html`<div class="grid">${section.nearMisses.map((n) =>
          renderCard({
            photo: n.photo,
            person: name,
            threshold: person.threshold,
            kind: CardKind.NearMiss,
            near: { score: n.score, faces: n.faces },
          }),
        )}</div>`;
  return html`<section id="${sectionId(index)}" class="person"><h2>${name} <small>threshold ${score(person.threshold)}${person.thresholdSource ? ` (${person.thresholdSource})` : ''}</small></h2><h3>Matches (${count(section.matches.length)})</h3>${matches}<h3>Near misses (${count(section.nearMissesSeen)})${shownNote}</h3><p class="hint">Unknown faces closest to ${name}: within ${score(nearMissMargin)} under the threshold, or over it but too close to someone else.</p>${near}</section>`;
};

const css = html`
body{font:14px/1.4 system-ui,sans-serif;margin:0;padding:16px 24px;background:#f4f4f5;color:#18181b}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px;margin:16px 0 8px}
small{font-weight:400;color:#52525b}
nav{margin:0 0 8px}nav a{margin-right:12px}
.meta{color:#52525b;margin:0 0 12px;word-break:break-all}
.flag{padding:6px 10px;border-radius:4px;margin:4px 0;font-weight:600}
.flag.interrupted{background:#fee2e2;color:#991b1b}.flag.dry{background:#fef3c7;color:#92400e}
.tables{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
table{border-collapse:collapse;background:#fff;border:1px solid #e4e4e7}
caption{text-align:left;font-weight:600;padding:2px 0}
th,td{padding:2px 8px;border-top:1px solid #e4e4e7;text-align:left}td{text-align:right}td.text{text-align:left}
table.files td{text-align:left;word-break:break-all}
.none,.hint,.more{color:#71717a}
section.person{border-top:2px solid #d4d4d8;margin-top:24px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
.card{margin:0;background:#fff;border:1px solid #e4e4e7;border-radius:4px;overflow:hidden}
.frame{position:relative;background:#27272a;aspect-ratio:4/3}
.frame img{display:block;width:100%;height:100%}
.nothumb{color:#a1a1aa;padding:40px 8px;text-align:center}
.face{position:absolute;box-sizing:border-box;border:1px solid rgba(255,255,255,.7)}
.face.unknown{border:1px dotted rgba(255,255,255,.35)}
.face.hit{border:2px solid #22c55e}.face.hit.ref{border:2px double #38bdf8}
.face.best{border:2px dashed #f59e0b}.face.known{border:1px solid #a78bfa}
.face span{position:absolute;left:-2px;bottom:100%;font:600 11px/1 monospace;padding:2px 3px;color:#000;background:#22c55e;white-space:nowrap}
.face.hit.ref span{background:#38bdf8}.face.best span{background:#f59e0b}.face.known span{background:#a78bfa}
figcaption{padding:4px 6px;font-size:12px}
.score{font:600 12px monospace;margin-right:6px}
.why,.others{color:#52525b;margin-right:6px}
.badge,.copy{display:inline-block;font-size:11px;padding:0 4px;border-radius:3px;background:#e4e4e7;margin-right:4px}
.badge.ref{background:#bae6fd}.badge.human{background:#ddd6fe}
.copy-failed,.copy-conflict,.copy-none{background:#fecaca}.copy-dry_run{background:#fef3c7}
.path{display:block;word-break:break-all;color:#3f3f46}
`;

/**
 * The whole report as one HTML page that opens straight from disk: inline CSS, thumbnails by
 * relative path, no scripts. A header with the run, a section per person searched (matches, then
 * near misses), then the lists of files that matched nobody, had no face, failed or were skipped.
 */
export const renderContactSheet = (sheet: ContactSheet): string => {
  const { summary } = sheet;
  const title = namesForTitle(summary);
  const meta = [
    `run ${summary.runId}`,
    `${summary.input} → ${summary.output}`,
    `models ${summary.modelSetId}`,
    `${summary.startedAt} – ${summary.finishedAt}`,
  ].join(' · ');
  const run = renderTable('Run', {
    files: summary.total,
    ...(summary.expected !== undefined ? { 'files found': summary.expected } : {}),
    seconds: Number.isFinite(summary.seconds) ? summary.seconds.toFixed(1) : '–',
    'photos/s': Number.isFinite(summary.photosPerSecond) ? summary.photosPerSecond.toFixed(1) : '–',
    'cache hits': summary.cacheHits,
    ...(summary.peakRssMb !== undefined ? { 'peak memory MiB': summary.peakRssMb } : {}),
  });
  const teacher = summary.teacher
    ? renderTable('Teacher', {
        routed: summary.teacher.routed,
        calls: summary.teacher.calls,
        failures: summary.teacher.failures,
        'rate limited': summary.teacher.rateLimited,
        overturned: summary.teacher.overturned,
        'cost USD': Number.isFinite(summary.teacher.costUsd) ? summary.teacher.costUsd.toFixed(4) : '–',
      })
    : '';
  const nav: Html[] = [
    html`<a href="../../index.html">all runs</a>`,
    ...sheet.sections.map((s, i) => html`<a href="#${sectionId(i)}">${s.person.name}</a>`),
    html`<a href="#${LIST_IDS.noMatch}">no match</a>`,
    html`<a href="#${LIST_IDS.noFace}">no face</a>`,
    html`<a href="#${LIST_IDS.error}">errors</a>`,
    html`<a href="#${LIST_IDS.skipped}">skipped</a>`,
    html`<a href="results.jsonl">results.jsonl</a>`,
  ];
  return htmlText(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>mespotter: ${title}</title>
<style>${css}</style>
</head>
<body>
<header>
<nav>${nav}</nav>
<h1>mespotter: ${title}</h1>
<p class="meta">${meta}</p>
${renderFlags(summary)}
<div class="tables">
${renderPeopleTable(sheet)}
${run}
${renderTable('Photos by status', summary.counts)}
${renderTable('Copies', summary.copies)}
${renderTable('Errors by code', mostFirst(summary.errorsByCode))}
${teacher}
</div>
</header>
<main>
${joinHtml(
  sheet.sections.map((s, i) => renderSection(s, i, sheet.nearMissMargin)),
  '\n',
)}
${renderFileLists(sheet.lists)}
</main>
</body>
</html>
`);
};
