import { type Html, html, htmlText } from '../../html/html.js';
import type { FaceView, PersonView } from '../reviewData.js';
import { faceCard, form, layout, type PageContext } from './layout.js';

const VIA: Record<string, string> = { human: 'confirmed', cluster: 'cluster', sort: 'matcher' };

const scoreText = (f: FaceView): string => (f.score === null ? '' : f.score.toFixed(3));

const cardOf = (f: FaceView, nearMiss: boolean): Html =>
  faceCard(f, {
    select: true,
    meta: html`<span class="${f.via === 'human' ? 'via-human' : ''}">${nearMiss ? (f.owner ? f.owner.name : 'unknown') : (VIA[f.via ?? ''] ?? '')}</span><span>${scoreText(f)}</span>`,
    title: `face ${f.id}${f.score === null ? '' : `, score ${scoreText(f)}`}${f.gray ? ' (gray zone)' : ''}`,
  });

export const personPage = (
  ctx: PageContext,
  v: PersonView,
  people: { id: number; name: string }[],
): string => {
  const p = v.person;
  const zone =
    v.threshold === null
      ? html`<p class="hint">Scores: similarity to this ${p.named ? 'person' : 'cluster'}'s mean face (${p.named ? 'no reference made with these models yet: confirm faces to give them some' : 'an unnamed cluster is not searched for'}).</p>`
      : html`<p class="hint">Threshold ${v.threshold.toFixed(3)} (${v.thresholdSource ?? ''}); faces within ±0.08 of it are <span class="swatch">the gray zone</span>. Lowest score first.</p>`;
  const others = people
    .filter((x) => x.id !== p.id)
    .map((x) => html`<option value="${x.id}">${x.name}</option>`);
  const toolbar = html`<div class="toolbar">
<span><b data-selected-count>0</b> selected</span>
<button type="submit" class="primary" data-key="y" formaction="api/confirm" hx-post="api/confirm">This is ${p.name} <kbd>y</kbd></button>
<button type="submit" class="danger" data-key="n" formaction="api/reject" hx-post="api/reject">Not ${p.name} <kbd>n</kbd></button>
<button type="submit" formaction="api/split" hx-post="api/split">Split off into a new cluster</button>
<span class="inline"><select name="to" aria-label="give the selected faces to"><option value="">give to…</option>${others}</select>
<button type="submit" formaction="api/assign" hx-post="api/assign">Give</button></span>
<span class="hint"><kbd>←</kbd><kbd>→</kbd><kbd>↑</kbd><kbd>↓</kbd> move, <kbd>space</kbd> select, <kbd>u</kbd> undo</span>
</div>`;
  const members = v.members.map((f) => cardOf(f, false));
  const near = v.nearMisses.map((f) => cardOf(f, true));
  const none = html`<span class="mute">none</span>`;
  const rename = form(
    ctx,
    'name',
    html`<input type="hidden" name="person" value="${p.id}">
<div class="inline"><input type="text" name="name" placeholder="${p.named ? 'rename' : 'name this cluster'}" required maxlength="64" aria-label="name">
<label><input type="checkbox" name="confirm" value="1"> faces confirmed</label>
<button type="submit">${p.named ? 'Rename' : 'Name'}</button></div>`,
  );
  const body = html`${zone}
${rename}
${form(
  ctx,
  'confirm',
  html`<input type="hidden" name="person" value="${p.id}">${toolbar}
<h2>${v.members.length} face${v.members.length === 1 ? '' : 's'} of ${p.name}</h2>
<div class="faces big" id="members">${members.length > 0 ? members : none}</div>
${v.hiddenMembers ? html`<p class="hint">${v.hiddenMembers} more from photos analysed with other models are not shown.</p>` : ''}
${
  v.threshold === null
    ? ''
    : html`<h2>Near misses: just below the threshold, nobody else's</h2>
<p class="hint">Confirm those that are ${p.name}; "not ${p.name}" is remembered and never proposed again.</p>
<div class="faces big" id="near">${near.length > 0 ? near : none}</div>`
}`,
  html` id="review-form"`,
)}`;
  return htmlText(layout(ctx, p.named ? p.name : `${p.name} (unnamed cluster)`, '', body));
};
