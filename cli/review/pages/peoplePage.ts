import type { MergeHint, PersonCard } from '../reviewData.js';
import { esc, faceCard, form, layout, type PageContext } from './layout.js';

const cardOf = (ctx: PageContext, c: PersonCard): string => {
  const p = c.person;
  const title = `<input type="checkbox" name="merge" value="${p.id}" form="merge-form" aria-label="select ${esc(p.name)} to merge">
<a href="person/${p.id}">${esc(p.name)}</a>
<span class="mute">${c.faces} face${c.faces === 1 ? '' : 's'}, ${c.photos} photo${c.photos === 1 ? '' : 's'}</span>`;
  const faces = c.top.map((f) => faceCard(f, { select: true })).join('');
  const split = form(
    ctx,
    'split',
    `<input type="hidden" name="person" value="${p.id}">
<div class="faces">${faces || '<span class="mute">no faces in these photos</span>'}</div>
${c.faces > 1 ? `<div class="inline"><button type="submit">Split selected faces off</button></div>` : ''}`,
  );
  const name = p.named
    ? ''
    : form(
        ctx,
        'name',
        `<input type="hidden" name="person" value="${p.id}">
<div class="inline"><input type="text" name="name" placeholder="name this cluster" required maxlength="64" aria-label="name for ${esc(p.name)}">
<label><input type="checkbox" name="confirm" value="1"> faces confirmed</label>
<button type="submit" class="primary">Name</button></div>`,
      );
  return `<div class="card" data-person="${p.id}" data-name="${esc(p.name)}"><h3>${title}</h3>${split}${name}</div>`;
};

export const peoplePage = (
  ctx: PageContext,
  o: { people: PersonCard[]; clusters: PersonCard[]; unknown: number; faces: number; hints: MergeHint[] },
): string => {
  const hints = o.hints
    .map((h) =>
      form(
        ctx,
        'merge',
        `<input type="hidden" name="merge" value="${h.into.id}"><input type="hidden" name="merge" value="${h.from.id}">
<span class="inline"><a href="person/${h.from.id}">${esc(h.from.name)}</a> looks like <a href="person/${h.into.id}">${esc(h.into.name)}</a>
<span class="mute">(${h.similarity.toFixed(2)})</span><button type="submit">Merge into ${esc(h.into.name)}</button></span>`,
        ' class="hint-row"',
      ),
    )
    .join('');
  const merge = form(
    ctx,
    'merge',
    `<div class="inline">Select two or more (checkbox by the name), then
<button type="submit">Merge selected</button>
<span class="hint">into the first selected; a named person is always kept over an unnamed cluster</span></div>`,
    ' id="merge-form"',
  );
  const body = `
<p class="hint">${o.faces} faces: ${o.people.length} people, ${o.clusters.length} unnamed clusters, ${o.unknown} faces nobody has yet
(run <code>mespotter cluster</code> to group them). Click faces to select them (shift-click for a range).</p>
${merge}
${hints ? `<h2>Maybe one person found twice</h2>${hints}` : ''}
<h2>People</h2>
${o.people.length ? `<div class="cards">${o.people.map((c) => cardOf(ctx, c)).join('')}</div>` : '<p class="mute">Nobody is named yet.</p>'}
<h2>Unnamed clusters</h2>
${o.clusters.length ? `<div class="cards">${o.clusters.map((c) => cardOf(ctx, c)).join('')}</div>` : '<p class="mute">No unnamed clusters.</p>'}`;
  return layout(ctx, 'People', '/', body);
};
