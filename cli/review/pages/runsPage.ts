import { type Html, html, htmlText } from '../../html/html.js';
import type { RunRow, RunView } from '../reviewData.js';
import { faceCard, layout, type PageContext } from './layout.js';

const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

/** One line of what a run found, from its stored summary. */
const outcome = (r: RunRow): Html | string => {
  const s = r.summary;
  if (!s) return html`<span class="mute">not finished</span>`;
  if (r.kind === 'sort') {
    const counts = (s['counts'] ?? {}) as Record<string, unknown>;
    const people = Array.isArray(s['people']) ? (s['people'] as { name?: unknown; photos?: unknown }[]) : [];
    return `${num(s['total'])} files, matched ${num(counts['matched'])}; ${people.map((p) => `${String(p.name)} ${num(p.photos)}`).join(', ')}`;
  }
  if (r.kind === 'cluster') {
    const created = Array.isArray(s['created']) ? (s['created'] as unknown[]).length : 0;
    return `${num(s['faces'])} faces: ${created} new cluster${created === 1 ? '' : 's'}, ${num(s['joinedExisting'])} joined existing`;
  }
  return '';
};

export const runsPage = (ctx: PageContext, runs: RunRow[]): string =>
  htmlText(
    layout(
      ctx,
      'Runs',
      '/runs',
      runs.length
        ? html`<table><thead><tr><th>started</th><th>command</th><th>what it did</th></tr></thead><tbody>${runs.map(
            (r) =>
              html`<tr><td><a href="runs/${r.id}">${r.startedAt.replace('T', ' ').slice(0, 19)}</a></td><td><code>${r.command}</code></td><td>${outcome(r)}</td></tr>`,
          )}</tbody></table>`
        : html`<p class="mute">No runs yet: <code>mespotter sort</code> and <code>mespotter cluster</code> runs show here.</p>`,
    ),
  );

export const runPage = (ctx: PageContext, v: RunView): string => {
  const r = v.run;
  const groups = v.byPerson.map(
    (g) =>
      html`<h2><a href="person/${g.person.id}">${g.person.name}</a> <span class="mute">${g.faces.length} face${g.faces.length === 1 ? '' : 's'}</span></h2>
<div class="faces">${g.faces.map((f) =>
        faceCard(f, {
          select: false,
          meta: f.score === null ? html`` : html`<span>${f.score.toFixed(3)}</span>`,
        }),
      )}</div>`,
  );
  return htmlText(
    layout(
      ctx,
      `Run ${r.key}`,
      '/runs',
      html`<p><code>${r.command}</code><br>started ${r.startedAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ''}</p>
<p>${outcome(r)}</p>
${v.report ? html`<p class="hint">Report on disk: <code>${v.report}</code></p>` : ''}
<p class="hint">The faces this run's decisions still name (a later run over the same photos replaces its decisions); click through to the photo or the person.</p>
${groups.length > 0 ? groups : html`<p class="mute">None left.</p>`}`,
    ),
  );
};
