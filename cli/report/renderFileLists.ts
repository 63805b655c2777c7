import { type Html, html, joinHtml } from '../html/html.js';
import { count, score } from './sheetFormat.js';
import type { SheetList, SheetLists, SheetRow } from './sheetModel.js';

interface Column {
  head: string;
  /** The cell's text (the template escapes it). */
  cell: (row: SheetRow) => string;
}

const fileCell = (r: SheetRow): string => r.path;

const whoCell = (r: SheetRow): string => {
  const known = r.known && r.known.length > 0 ? `${r.known.join(', ')} (not searched)` : '';
  const nearest = r.nearest ? `nearest ${r.nearest.person} ${score(r.nearest.score)}` : '';
  return [known, nearest].filter(Boolean).join('; ');
};

/** Ids double as the header's links; they are fixed strings, never user text. */
export const LIST_IDS = {
  noMatch: 'list-no_match',
  noFace: 'list-no_face',
  error: 'list-error',
  skipped: 'list-skipped',
} as const;

const LISTS: { key: keyof SheetLists; title: string; empty: string; columns: Column[] }[] = [
  {
    key: 'noMatch',
    title: 'No match',
    empty: 'Every photo with faces had someone searched for.',
    columns: [
      { head: 'file', cell: fileCell },
      { head: 'faces', cell: (r) => String(r.faces ?? 0) },
      { head: 'who', cell: whoCell },
    ],
  },
  {
    key: 'noFace',
    title: 'No face',
    empty: 'Every photo had a face.',
    columns: [{ head: 'file', cell: fileCell }],
  },
  {
    key: 'error',
    title: 'Errors',
    empty: 'No errors.',
    columns: [
      { head: 'file', cell: fileCell },
      { head: 'code', cell: (r) => r.code ?? 'unknown' },
      { head: 'reason', cell: (r) => r.reason ?? '' },
    ],
  },
  {
    key: 'skipped',
    title: 'Skipped',
    empty: 'Nothing was skipped.',
    columns: [
      { head: 'file', cell: fileCell },
      { head: 'reason', cell: (r) => r.reason ?? r.code ?? '' },
    ],
  },
];

const renderList = (id: string, title: string, empty: string, columns: Column[], list: SheetList): Html => {
  const heading = html`<h2>${title} (${count(list.total)})</h2>`;
  if (list.total === 0 && list.rows.length === 0) {
    return html`<section id="${id}" class="list">${heading}<p class="none">${empty}</p></section>`;
  }
  const head = columns.map((c) => html`<th>${c.head}</th>`);
  const body = list.rows.map((r) => html`<tr>${columns.map((c) => html`<td>${c.cell(r)}</td>`)}</tr>`);
  const more = list.total - list.rows.length;
  const tail =
    more > 0
      ? html`<p class="more">and ${count(more)} more; see <a href="results.jsonl">results.jsonl</a></p>`
      : '';
  return html`<section id="${id}" class="list">${heading}<table class="files"><thead><tr>${head}</tr></thead><tbody>
${joinHtml(body, '\n')}
</tbody></table>${tail}</section>`;
};

/** The files that were not matched, each with its reason; each list capped, the rest counted. */
export const renderFileLists = (lists: SheetLists): Html =>
  joinHtml(
    LISTS.map((l) => renderList(LIST_IDS[l.key], l.title, l.empty, l.columns, lists[l.key])),
    '\n',
  );
