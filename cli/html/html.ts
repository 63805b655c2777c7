import { html as honoHtml } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** Markup made by `html`: another template inserts it as it is; every other string it escapes. */
export type Html = HtmlEscapedString;

/**
 * What a template may hold: text and numbers (escaped), markup from `html`, or lists of them.
 * No promises, so every template renders synchronously.
 */
export type HtmlValue = string | number | Html | readonly HtmlValue[];

/**
 * hono's `html` tagged template, kept synchronous: library and file-system text goes in as plain
 * strings and comes out escaped (&, <, >, ", '), so no page or report escapes anything by hand.
 */
export const html = (strings: TemplateStringsArray, ...values: HtmlValue[]): Html => {
  const out = honoHtml(strings, ...values);
  // hono returns a promise only for a promise among the values, which HtmlValue rules out.
  if (out instanceof Promise) throw new TypeError('html: a template value was a promise');
  return out;
};

/** Markup parts with a plain separator between them (what `join` is for strings). */
export const joinHtml = (parts: readonly Html[], separator: string): Html =>
  html`${parts.map((p, i) => (i === 0 ? p : [separator, p]))}`;

/** A finished page as the plain string a file or a response takes (hono's is a String object). */
export const htmlText = (markup: Html): string => markup.toString();
