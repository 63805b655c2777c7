import { type Html, html, htmlText } from '../../html/html.js';
import type { MergeHint, PersonCard } from '../reviewData.js';
import { faceCard, form, layout, type PageContext } from './layout.js';

const cardOf = (ctx: PageContext, c: PersonCard): Html => {
  const p = c.person;
  const title = html`<input type="checkbox" name="merge" value="${p.id}" form="merge-form" aria-label="select ${p.name} to merge">
<a href="person/${p.id}">${p.name}</a>
<span class="mute">${c.faces} face${c.faces === 1 ? '' : 's'}, ${c.photos} photo${c.photos === 1 ? '' : 's'}</span>`;
  const faces = c.top.map((f) => faceCard(f, { select: true }));
  const split = form(
    ctx,
    'split',
    html`<input type="hidden" name="person" value="${p.id}">
<div class="faces">${faces.length > 0 ? faces : html`<span class="mute">no faces in these photos</span>`}</div>
${c.faces > 1 ? html`<div class="inline"><button type="submit">Split selected faces off</button></div>` : ''}`,
  );
  const name = p.named
    ? ''
    : form(
        ctx,
        'name',
        html`<input type="hidden" name="person" value="${p.id}">
<div class="inline"><input type="text" name="name" placeholder="name this cluster" required maxlength="64" aria-label="name for ${p.name}">
<label><input type="checkbox" name="confirm" value="1"> faces confirmed</label>
<button type="submit" class="primary">Name</button></div>`,
      );
  return html`<div class="card" data-person="${p.id}" data-name="${p.name}"><h3>${title}</h3>${split}${name}</div>`;
};

export const peoplePage = (
  ctx: PageContext,
  o: { people: PersonCard[]; clusters: PersonCard[]; unknown: number; faces: number; hints: MergeHint[] },
): string => {
  const hints = o.hints.map((h) =>
    form(
      ctx,
      'merge',
      html`<input type="hidden" name="merge" value="${h.into.id}"><input type="hidden" name="merge" value="${h.from.id}">
<span class="inline"><a href="person/${h.from.id}">${h.from.name}</a> looks like <a href="person/${h.into.id}">${h.into.name}</a>
<span class="mute">(${h.similarity.toFixed(2)})</span><button type="submit">Merge into ${h.into.name}</button></span>`,
      html` class="hint-row"`,
    ),
  );
  const merge = form(
    ctx,
    'merge',
    html`<div class="inline">Select two or more (checkbox by the name), then
<button type="submit">Merge selected</button>
<span class="hint">into the first selected; a named person is always kept over an unnamed cluster</span></div>`,
    html` id="merge-form"`,
  );
  const body = html`
<p class="hint">${o.faces} faces: ${o.people.length} people, ${o.clusters.length} unnamed clusters, ${o.unknown} faces nobody has yet
(run <code>mespotter cluster</code> to group them). Click faces to select them (shift-click for a range).</p>
${merge}
${hints.length > 0 ? html`<h2>Maybe one person found twice</h2>${hints}` : ''}
<h2>People</h2>
${o.people.length ? html`<div class="cards">${o.people.map((c) => cardOf(ctx, c))}</div>` : html`<p class="mute">Nobody is named yet.</p>`}
<h2>Unnamed clusters</h2>
${o.clusters.length ? html`<div class="cards">${o.clusters.map((c) => cardOf(ctx, c))}</div>` : html`<p class="mute">No unnamed clusters.</p>`}`;
  return htmlText(layout(ctx, 'People', '/', body));
};
