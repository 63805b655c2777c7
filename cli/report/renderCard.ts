import { CopyOutcome, type CopyResult, type FaceResult } from '../../core/report/resultLine.js';
import { type Html, html } from '../html/html.js';
import { clipPercent, pct, positiveInt, score } from './sheetFormat.js';
import type { SheetPhoto } from './sheetModel.js';

/** Which list of a person's section a card is in. */
export const CardKind = {
  Match: 'match',
  NearMiss: 'near_miss',
} as const;
export type CardKind = (typeof CardKind)[keyof typeof CardKind];

export interface CardInput {
  photo: SheetPhoto;
  /** The section's person: their face is the highlighted one. */
  person: string;
  threshold: number;
  kind: CardKind;
  /** A near miss: the faces that nearly were the person, and the best of their scores. */
  near?: { score: number; faces: readonly number[] };
}

const COPY_LABELS: Record<CopyOutcome, string> = {
  [CopyOutcome.Copied]: 'copied',
  [CopyOutcome.AlreadyPresent]: 'already there',
  [CopyOutcome.Conflict]: 'conflict',
  [CopyOutcome.Failed]: 'copy failed',
  [CopyOutcome.DryRun]: 'dry run',
};

export const REFERENCE_BADGE = 'reference photo matching itself';

/** What the face is, for its tooltip (plain text: the template escapes it). */
const describeFace = (f: FaceResult): string => {
  const who = f.person ?? (f.best !== undefined ? `unknown (nearest ${f.best})` : 'unknown');
  return [
    who,
    `score ${score(f.score)}`,
    ...(f.margin !== undefined ? [`margin ${score(f.margin)}`] : []),
    `detector ${score(f.detScore)}`,
    ...(f.decidedBy === 'human' ? ['labelled by hand'] : []),
    ...(f.reference ? ['enrolled reference'] : []),
  ].join(' · ');
};

/** The face's class and its label over the box (plain text). */
const faceLook = (
  f: FaceResult,
  i: number,
  card: CardInput,
  highlighted: ReadonlySet<number>,
): { cls: string; label: string } => {
  if (f.person === card.person) {
    return { cls: f.reference ? 'face hit ref' : 'face hit', label: score(f.score) };
  }
  if (highlighted.has(i)) return { cls: 'face best', label: score(f.score) };
  if (f.person !== null) return { cls: 'face known', label: f.person };
  return { cls: 'face unknown', label: '' };
};

const renderFaces = (card: CardInput): Html[] => {
  const width = positiveInt(card.photo.width);
  const height = positiveInt(card.photo.height);
  if (width === undefined || height === undefined) return [];
  const highlighted = new Set(card.near?.faces ?? []);
  return card.photo.faces.map((f, i) => {
    const { x1, y1, x2, y2 } = f.box;
    // Clip each edge to the image first, so a box hanging off an edge is drawn as its visible part.
    const [l, r] = [clipPercent(x1, width), clipPercent(x2, width)].sort((a, b) => a - b) as [number, number];
    const [t, b] = [clipPercent(y1, height), clipPercent(y2, height)].sort((a, b) => a - b) as [
      number,
      number,
    ];
    const style = `left:${pct(l)}%;top:${pct(t)}%;width:${pct(r - l)}%;height:${pct(b - t)}%`;
    const { cls, label } = faceLook(f, i, card, highlighted);
    const span = label === '' ? '' : html`<span>${label}</span>`;
    return html`<div class="${cls}" style="${style}" title="${describeFace(f)}">${span}</div>`;
  });
};

const renderCopy = (c: CopyResult): Html => {
  const withReason = c.outcome === CopyOutcome.Conflict || c.outcome === CopyOutcome.Failed;
  const text = COPY_LABELS[c.outcome] + (withReason && c.reason ? `: ${c.reason}` : '');
  return html`<span class="copy copy-${c.outcome}" title="${c.destination}">${text}</span>`;
};

/** The match card's score, badges and copies; the near miss card's score against the threshold. */
const renderVerdict = (card: CardInput): Html => {
  const { photo, person } = card;
  if (card.kind === CardKind.NearMiss && card.near) {
    const top = card.near.faces
      .map((i) => photo.faces[i])
      .find((f) => f !== undefined && f.score === card.near?.score);
    const why =
      card.near.score >= card.threshold
        ? `over ${score(card.threshold)} but ${top?.margin !== undefined ? `only ${score(top.margin)}` : 'too close'} ahead of the runner-up`
        : `threshold ${score(card.threshold)}`;
    return html`<span class="score">${score(card.near.score)}</span><span class="why">${why}</span>`;
  }
  const own = photo.faces.filter((f) => f.person === person);
  const best = own.reduce<number | undefined>(
    (m, f) => (f.score !== undefined && (m === undefined || f.score > m) ? f.score : m),
    undefined,
  );
  const badges = [
    ...(own.some((f) => f.reference) ? [html`<span class="badge ref">${REFERENCE_BADGE}</span>`] : []),
    ...(own.some((f) => f.decidedBy === 'human')
      ? [html`<span class="badge human">labelled by hand</span>`]
      : []),
  ];
  const copies = (photo.copies ?? []).filter((c) => c.people.includes(person));
  const copyHtml =
    copies.length > 0 ? copies.map(renderCopy) : html`<span class="copy copy-none">not copied</span>`;
  return html`<span class="score">${score(best)}</span>${badges}${copyHtml}`;
};

/** One card: the thumbnail with every face boxed, the verdict for the section's person, the path. */
export const renderCard = (card: CardInput): Html => {
  const { photo, person } = card;
  const path = photo.path;
  const tw = positiveInt(photo.thumbWidth) ?? positiveInt(photo.width);
  const th = positiveInt(photo.thumbHeight) ?? positiveInt(photo.height);
  const ratio = tw && th ? html` style="aspect-ratio:${tw}/${th}"` : '';
  const image = photo.thumb
    ? html`<img src="${photo.thumb}" alt="${path}" loading="lazy"${tw && th ? html` width="${tw}" height="${th}"` : ''}>`
    : html`<div class="nothumb">no thumbnail</div>`;
  const others = [
    ...new Set(photo.faces.map((f) => f.person).filter((p): p is string => p !== null && p !== person)),
  ];
  const withOthers = others.length > 0 ? html`<span class="others">with ${others.join(', ')}</span>` : '';
  return html`<figure class="card ${card.kind === CardKind.Match ? 'match' : 'near'}"><div class="frame"${ratio}>${image}${renderFaces(card)}</div><figcaption>${renderVerdict(card)}${withOthers}<span class="path" title="${path}">${path}</span></figcaption></figure>`;
};
