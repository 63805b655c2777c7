import type { RunSummary } from '../../core/report/resultLine.js';
import { html, htmlText, joinHtml } from '../html/html.js';

/** Names shown per run before "and N more" (a run over everyone enrolled can search hundreds). */
const INDEX_NAMES = 5;

/** Each person searched with the photos they were found in (plain text: the template escapes it). */
const peopleCell = (s: RunSummary): string => {
  const shown = s.people.slice(0, INDEX_NAMES).map((p) => `${p.name} (${p.photos})`);
  const more = s.people.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
};

/** index.html of a report folder: one row per run, newest first, linking each run's own page. */
export const renderRunIndex = (
  runs: readonly { runId: string; summary: RunSummary }[],
  runsDir: string,
): string => {
  const rows = runs.map(({ runId, summary: s }) => {
    const counts = Object.entries(s.counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    const href = `${runsDir}/${encodeURIComponent(runId)}/report.html`;
    return html`<tr><td><a href="${href}">${s.startedAt}</a></td><td>${peopleCell(s)}</td><td>${s.total}</td><td>${counts}</td><td>${s.interrupted ? 'interrupted' : s.dryRun ? 'dry run' : ''}</td></tr>`;
  });
  return htmlText(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mespotter runs</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}</style>
</head><body><h1>mespotter runs</h1>
<table><thead><tr><th>started</th><th>people</th><th>files</th><th>outcome</th><th></th></tr></thead>
<tbody>
${joinHtml(rows, '\n')}
</tbody></table></body></html>
`);
};
