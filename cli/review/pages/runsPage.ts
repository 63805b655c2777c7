import type { RunRow, RunView } from '../reviewData.js';
import { esc, faceCard, layout, type PageContext } from './layout.js';

const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

/** One line of what a run found, from its stored summary. */
const outcome = (r: RunRow): string => {
  const s = r.summary;
  if (!s) return '<span class="mute">not finished</span>';
  if (r.kind === 'sort') {
    const counts = (s['counts'] ?? {}) as Record<string, unknown>;
    const people = Array.isArray(s['people']) ? (s['people'] as { name?: unknown; photos?: unknown }[]) : [];
    return (
      `${num(s['total'])} files, matched ${num(counts['matched'])}; ` +
      esc(people.map((p) => `${String(p.name)} ${num(p.photos)}`).join(', '))
    );
  }
  if (r.kind === 'cluster') {
    const created = Array.isArray(s['created']) ? (s['created'] as unknown[]).length : 0;
    return `${num(s['faces'])} faces: ${created} new cluster${created === 1 ? '' : 's'}, ${num(s['joinedExisting'])} joined existing`;
  }
  return '';
};

export const runsPage = (ctx: PageContext, runs: RunRow[]): string =>
  layout(
    ctx,
    'Runs',
    '/runs',
    runs.length
      ? `<table><thead><tr><th>started</th><th>command</th><th>what it did</th></tr></thead><tbody>${runs
          .map(
            (r) =>
              `<tr><td><a href="runs/${r.id}">${esc(r.startedAt.replace('T', ' ').slice(0, 19))}</a></td><td><code>${esc(r.command)}</code></td><td>${outcome(r)}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p class="mute">No runs yet: <code>mespotter sort</code> and <code>mespotter cluster</code> runs show here.</p>',
  );

export const runPage = (ctx: PageContext, v: RunView): string => {
  const r = v.run;
  const groups = v.byPerson
    .map(
      (g) =>
        `<h2><a href="person/${g.person.id}">${esc(g.person.name)}</a> <span class="mute">${g.faces.length} face${g.faces.length === 1 ? '' : 's'}</span></h2>
<div class="faces">${g.faces
          .map((f) =>
            faceCard(f, {
              select: false,
              meta: f.score === null ? '' : `<span>${f.score.toFixed(3)}</span>`,
            }),
          )
          .join('')}</div>`,
    )
    .join('');
  return layout(
    ctx,
    `Run ${r.key}`,
    '/runs',
    `<p><code>${esc(r.command)}</code><br>started ${esc(r.startedAt)}${r.finishedAt ? `, finished ${esc(r.finishedAt)}` : ''}</p>
<p>${outcome(r)}</p>
${v.report ? `<p class="hint">Report on disk: <code>${esc(v.report)}</code></p>` : ''}
<p class="hint">The faces this run's decisions still name (a later run over the same photos replaces its decisions); click through to the photo or the person.</p>
${groups || '<p class="mute">None left.</p>'}`,
  );
};
