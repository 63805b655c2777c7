import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/** The header every change must carry (htmx sends it from the page's hx-headers). */
export const TOKEN_HEADER = 'X-Mespotter-Token';

/** A fresh secret per server start: 32 random bytes, URL-safe. */
export const newToken = (): string => randomBytes(32).toString('base64url');

const same = (a: string | undefined, b: string): boolean => {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Cookies are per host, not per port: two review servers must not share one. */
export const cookieName = (port: number): string => `mespotter_review_${port}`;

const deny = (c: Context, status: 403 | 400, why: string): Response =>
  c.text(`${why}\n`, status, { 'Cache-Control': 'no-store' });

/**
 * The security model, in order, for every request:
 * 1. Host must be 127.0.0.1:PORT or localhost:PORT: a DNS-rebinding page (evil.example resolving to
 *    127.0.0.1) sends its own host name and is refused.
 * 2. Fetch metadata: a browser request from another site or origin (Sec-Fetch-Site cross-site or
 *    same-site: another local port is same-site) is refused; our pages are same-origin, a typed
 *    or opened URL is "none".
 * 3. The token: given once in the printed URL (?token=…), exchanged for an HttpOnly, SameSite=Strict
 *    cookie scoped to this port, and the URL without it (a 303, so it stays out of history and
 *    Referer). Every later request needs that cookie or the token header.
 * 4. Changes (POST) need the token in the X-Mespotter-Token header itself, not only the cookie: a
 *    form or fetch from another page cannot set that header without a CORS preflight, which this
 *    server never answers, so no other page can drive it (CSRF). An Origin header, when present,
 *    must be ours.
 * Every response forbids framing, sniffing and referrers, and allows scripts, styles and images
 * from this origin only (CSP): everything is served from the package.
 */
export const reviewSecurity =
  (token: string, port: () => number): MiddlewareHandler =>
  async (c, next) => {
    const p = port();
    const host = c.req.header('host') ?? '';
    if (host !== `127.0.0.1:${p}` && host !== `localhost:${p}`) return deny(c, 403, 'unexpected Host header');
    const site = c.req.header('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      return deny(c, 403, 'requests from other pages are refused');
    const url = new URL(c.req.url);
    const given = url.searchParams.get('token');
    if (c.req.method === 'GET' && given !== null) {
      if (!same(given, token)) return deny(c, 403, 'wrong token: open the URL mespotter review printed');
      setCookie(c, cookieName(p), token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const header = c.req.header(TOKEN_HEADER);
    const cookie = getCookie(c, cookieName(p));
    if (!same(header, token) && !same(cookie, token))
      return deny(c, 403, 'no valid token: open the URL mespotter review printed');
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      if (!same(header, token)) return deny(c, 403, `changes need the ${TOKEN_HEADER} header`);
      const origin = c.req.header('origin');
      if (origin !== undefined && origin !== `http://127.0.0.1:${p}` && origin !== `http://localhost:${p}`)
        return deny(c, 403, 'requests from other origins are refused');
    }
    await next();
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
