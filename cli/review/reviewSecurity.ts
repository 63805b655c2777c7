import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { EntryOutcome, type ReviewSession } from './ReviewSession.js';

/** The header every change must carry (htmx sends it from the page's hx-headers). */
export const TOKEN_HEADER = 'X-Mespotter-Token';

/** Cookies are per host, not per port: two review servers on one host must not clobber each other's. */
export const cookieName = (port: number): string => `mespotter_review_${port}`;

const deny = (c: Context, why: string): Response =>
  c.text(`${why}\n`, 403, { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });

const isChange = (method: string): boolean => method !== 'GET' && method !== 'HEAD';

/**
 * The security model, in order, for every request:
 * 1. Host must be 127.0.0.1:PORT or localhost:PORT: a DNS-rebinding page (evil.example resolving to
 *    127.0.0.1) sends its own host name and is refused.
 * 2. Fetch metadata: a browser request from another site or origin (Sec-Fetch-Site cross-site or
 *    same-site: another local port is same-site) is refused; our pages are same-origin, a typed
 *    or opened URL is "none". A change must come from our own page: Origin is required and must be
 *    ours, Sec-Fetch-Site (when sent) same-origin.
 * 3. The entry token, in the printed URL (?token=…), is exchanged once for a session: an HttpOnly,
 *    SameSite=Strict cookie with a value of its own, scoped to the session's secret path, and a
 *    303 to that path, so the token stays out of history and Referer. A second use is refused.
 * 4. Everything else lives under the secret path and needs the session cookie; changes (POST) also
 *    need the CSRF token in the X-Mespotter-Token header, which the page's htmx sends and which a
 *    form or fetch from another page cannot set without a CORS preflight this server never answers.
 * A browser sends a cookie only to paths under its Path, so another server on 127.0.0.1 (any port)
 * never receives the session cookie, and could do nothing with it without the secret path.
 * Every response forbids framing, sniffing and referrers, and allows scripts, styles and images
 * from this origin only (CSP): everything is served from the package.
 */
export const reviewSecurity =
  (session: ReviewSession, port: () => number): MiddlewareHandler =>
  async (c, next) => {
    const p = port();
    const host = c.req.header('host') ?? '';
    if (host !== `127.0.0.1:${p}` && host !== `localhost:${p}`) return deny(c, 'unexpected Host header');
    const site = c.req.header('sec-fetch-site');
    const change = isChange(c.req.method);
    if (site !== undefined && site !== 'same-origin' && (change || site !== 'none'))
      return deny(c, 'requests from other pages are refused');
    if (change) {
      const origin = c.req.header('origin');
      if (origin !== `http://127.0.0.1:${p}` && origin !== `http://localhost:${p}`)
        return deny(c, 'changes are taken only from the review page itself (Origin)');
    }
    const path = c.req.path;
    // Browsers ask for it on their own, without the session's path.
    if (path === '/favicon.ico' && !change) return c.body(null, 204);
    if (!session.isUnder(path)) {
      const given = c.req.query('token');
      if (change || path !== '/' || given === undefined)
        return deny(c, 'no session: open the URL mespotter review printed');
      const entry = session.open(given);
      if (entry.outcome !== EntryOutcome.Opened)
        return deny(
          c,
          entry.outcome === EntryOutcome.Used
            ? 'this URL was used already (it opens one browser, once): go on in the tab it opened, or restart mespotter review for a new one'
            : 'wrong token: open the URL mespotter review printed',
        );
      setCookie(c, cookieName(p), entry.cookie, {
        httpOnly: true,
        sameSite: 'Strict',
        path: session.base,
      });
      return c.redirect(session.base, 303);
    }
    if (!session.isCookie(getCookie(c, cookieName(p))))
      return deny(c, 'no valid session cookie: open the URL mespotter review printed');
    if (change && !session.isCsrf(c.req.header(TOKEN_HEADER)))
      return deny(c, `changes need the page's ${TOKEN_HEADER} header`);
    await next();
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'",
    );
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
