import { randomBytes, timingSafeEqual } from 'node:crypto';

/** `bytes` random bytes, URL-safe. */
const newSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');

const same = (a: string | undefined, b: string | undefined): boolean => {
  if (a === undefined || b === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** What opening the printed URL did. */
export const EntryOutcome = {
  /** The token was right and unused: here is the session cookie's value. */
  Opened: 'opened',
  /** The token was right but was used already (it opens one browser, once). */
  Used: 'used',
  Wrong: 'wrong',
} as const;
export type EntryOutcome = (typeof EntryOutcome)[keyof typeof EntryOutcome];

/**
 * The secrets of one review server start, all different, none derived from another:
 * - the entry token of the printed URL, good for one exchange;
 * - the session's secret path, under which every page, image and API call lives; the session
 *   cookie is scoped to it, so a browser sends it to no other path, hence to no other local server
 *   (cookies are not port-scoped, paths are);
 * - the session cookie's value, made at the exchange, never shown in a page or a URL;
 * - the CSRF token, written in the pages for htmx to send back with every change.
 * A leaked cookie is thus useless without the path (only in this server's pages and the browser's
 * address bar), and a leaked path is useless without the cookie (HttpOnly, in one browser only).
 */
export class ReviewSession {
  /** The one-time token of the printed URL. */
  readonly entryToken = newSecret();
  /** `/<secret>/`: the session's root. */
  readonly base = `/${newSecret(16)}/`;
  /** Sent by the pages in the X-Mespotter-Token header with every change. */
  readonly csrf = newSecret();
  #cookie: string | undefined;

  /** Exchanges the entry token for the session cookie's value, once. */
  open(
    token: string,
  ):
    | { outcome: typeof EntryOutcome.Opened; cookie: string }
    | { outcome: typeof EntryOutcome.Used | typeof EntryOutcome.Wrong } {
    if (!same(token, this.entryToken)) return { outcome: EntryOutcome.Wrong };
    if (this.#cookie !== undefined) return { outcome: EntryOutcome.Used };
    this.#cookie = newSecret();
    return { outcome: EntryOutcome.Opened, cookie: this.#cookie };
  }

  /** Whether a request's path is under the session's (compared in constant time, as a secret). */
  isUnder(path: string): boolean {
    return same(path.slice(0, this.base.length), this.base);
  }

  /** Whether a request's cookie is this session's (false before the URL was opened). */
  isCookie(value: string | undefined): boolean {
    return same(value, this.#cookie);
  }

  isCsrf(value: string | undefined): boolean {
    return same(value, this.csrf);
  }
}
