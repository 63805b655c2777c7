import { type Html, html } from '../../html/html.js';

export interface PageContext {
  /** The session's CSRF token, sent back by htmx as a header on every change. */
  csrf: string;
  /**
   * The session's secret path (`/<secret>/`): every link is relative to it (the page's <base>),
   * and the session cookie is sent for it only.
   */
  base: string;
  /** The path of the page under `base` (what a change re-renders): `/`, `/person/3`. */
  path: string;
  /** What the last change did, shown at the top. */
  flash?: { text: string; error?: boolean };
  /** The newest action that can be undone, for the header's button. */
  undo?: string;
}

const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
  historyCacheSize: 0,
});

const nav = (here: string): Html =>
  html`${[
    ['/', 'People'],
    ['/runs', 'Runs'],
  ].map(
    ([path, label]) =>
      html`<a href="${path === '/' ? './' : path!.slice(1)}"${here === path ? html` class="here"` : ''}>${label!}</a>`,
  )}`;

/** A form posting to the review API; htmx swaps the re-rendered page's <main> in place. */
export const form = (ctx: PageContext, action: string, body: Html, attrs: Html | '' = ''): Html =>
  html`<form method="post" action="api/${action}" hx-post="api/${action}" hx-target="#main" hx-select="#main" hx-swap="outerHTML"${attrs}><input type="hidden" name="back" value="${ctx.path}">${body}</form>`;

/** The whole page: header with navigation and undo, the flash line, then `body` in <main>. */
export const layout = (
  ctx: PageContext,
  title: string,
  here: string,
  body: Html,
): Html => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="htmx-config" content='${HTMX_CONFIG}'>
<title>${title} · mespotter review</title>
<base href="${ctx.base}">
<link rel="stylesheet" href="static/app.css">
<script src="static/htmx.min.js" defer></script>
<script src="static/app.js" defer></script>
</head>
<body hx-headers='${JSON.stringify({ 'X-Mespotter-Token': ctx.csrf })}'>
<header>${nav(here)}<span class="mute">mespotter review</span>
${form(
  ctx,
  'undo',
  html`<button type="submit" data-key="u" title="undo (u)"${ctx.undo ? '' : html` disabled`}>Undo${
    ctx.undo ? `: ${ctx.undo.length > 60 ? `${ctx.undo.slice(0, 57)}…` : ctx.undo}` : ''
  } <kbd>u</kbd></button>`,
  html` id="undo-form"`,
)}
</header>
<main id="main">
<div id="flash" class="flash${ctx.flash?.error ? ' error' : ''}" role="status">${ctx.flash ? ctx.flash.text : ''}</div>
<h1>${title}</h1>
${body}
</main>
</body></html>`;

/** A face card: its crop, a selection box when `select`, and a line of facts. */
export const faceCard = (
  f: { id: number; photoId: number; gray?: boolean },
  o: { select: boolean; meta?: Html; title?: string },
): Html =>
  html`<div class="face${f.gray ? ' gray' : ''}" data-face="${f.id}" tabindex="0"${o.title ? html` title="${o.title}"` : ''}><img src="face/${f.id}.jpg" alt="face ${f.id}" loading="lazy" width="160" height="160">${
    o.select
      ? html`<input type="checkbox" name="faces" value="${f.id}" aria-label="select face ${f.id}">`
      : ''
  }<div class="meta"><a href="photo/${f.photoId}" title="the whole photo">photo</a>${o.meta ?? ''}</div></div>`;
