import { html, htmlText } from '../../html/html.js';
import type { PhotoFile } from '../photoFile.js';
import type { PhotoView } from '../reviewData.js';
import { faceCard, form, layout, type PageContext } from './layout.js';

const VIA: Record<string, string> = { human: 'confirmed', cluster: 'cluster', sort: 'matcher' };

export const photoPage = (
  ctx: PageContext,
  v: PhotoView,
  where: PhotoFile,
  people: { id: number; name: string }[],
): string => {
  const labelOf = (i: number): string => {
    const f = v.faces[i]!;
    return f.owner ? f.owner.name : 'unknown';
  };
  const boxes = v.faces.map((f, i) => {
    const w = f.box.x2 - f.box.x1;
    const h = f.box.y2 - f.box.y1;
    const size = Math.max(14, Math.round(v.height / 40));
    return html`<a href="photo/${v.photoId}#face-${f.id}"><rect class="${f.owner ? '' : 'unknown'}" x="${f.box.x1}" y="${f.box.y1}" width="${w}" height="${h}"></rect>
<text x="${f.box.x1}" y="${Math.max(size, f.box.y1 - 6)}" font-size="${size}">${labelOf(i)}</text></a>`;
  });
  const picture =
    where.state === 'present'
      ? html`<div class="photo"><img src="photo/${v.photoId}.jpg" alt="the photo" width="${v.width}" height="${v.height}">
<svg viewBox="0 0 ${v.width} ${v.height}" preserveAspectRatio="none" aria-label="faces">${boxes}</svg></div>
<p class="hint">${where.shown}</p>`
      : html`<div class="missing" id="missing"><b>This photo is not where the library last saw it.</b><br>
${where.shown ? `${where.shown}: ` : ''}${where.reason}.<br>
Its ${v.faces.length} face${v.faces.length === 1 ? '' : 's'} and every label stay in the library; index the folder it moved to
(<code>mespotter index DIR</code>) and it shows again.</div>`;
  const options = people.map((p) => html`<option value="${p.id}">${p.name}</option>`);
  const rows = v.faces.map((f) =>
    form(
      ctx,
      'assign',
      html`<div class="facerow" id="face-${f.id}">${faceCard(f, { select: false })}
<input type="hidden" name="faces" value="${f.id}">
<div><div>face ${f.id}: <b>${f.owner ? html`<a href="person/${f.owner.id}">${f.owner.name}</a>` : 'unknown'}</b>
${f.via ? html`<span class="mute">(${VIA[f.via] ?? f.via})</span>` : ''}</div>
<div class="inline"><select name="to" aria-label="person for face ${f.id}"><option value="">change to…</option>${options}</select>
<input type="text" name="name" placeholder="or a new name" maxlength="64" aria-label="new name for face ${f.id}">
<button type="submit" class="primary">Set</button>
${f.owner ? html`<button type="submit" class="danger" formaction="api/unassign" hx-post="api/unassign">Not ${f.owner.name}</button>` : ''}</div></div></div>`,
    ),
  );
  return htmlText(
    layout(
      ctx,
      `Photo ${v.sha256.slice(0, 12)}`,
      '',
      html`${picture}<h2>${v.faces.length} face${v.faces.length === 1 ? '' : 's'}</h2>${rows.length > 0 ? rows : html`<p class="mute">No face in this photo.</p>`}`,
    ),
  );
};
