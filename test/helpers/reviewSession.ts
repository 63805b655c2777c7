import { request } from 'node:http';

export interface ReviewReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One plain HTTP request to 127.0.0.1:port (nothing added but what is given; Host from the port). */
export const reviewRequest = (
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<ReviewReply> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });

/** What a browser holds after opening the printed URL: the cookie, the secret path, the page's CSRF token. */
export interface ReviewLogin {
  /** `name=value`, as a Cookie header carries it. */
  cookie: string;
  /** The Set-Cookie header of the exchange, attributes included. */
  setCookie: string;
  /** The session's secret path, `/<secret>/`. */
  base: string;
  csrf: string;
}

/** Opens the printed URL as a browser would (once: the token is then used up). */
export const openReviewSession = async (server: { url: string; port: number }): Promise<ReviewLogin> => {
  const u = new URL(server.url);
  const entry = await reviewRequest(server.port, 'GET', `${u.pathname}${u.search}`);
  if (entry.status !== 303) throw new Error(`opening ${server.url} answered ${entry.status}: ${entry.body}`);
  const setCookie = String(entry.headers['set-cookie']);
  const cookie = setCookie.split(';')[0]!;
  const base = String(entry.headers.location);
  const page = await reviewRequest(server.port, 'GET', base, { cookie });
  const csrf = /"X-Mespotter-Token":"([^"]+)"/.exec(page.body.replaceAll('&quot;', '"'))?.[1];
  if (!csrf) throw new Error(`no CSRF token in the page (${page.status})`);
  return { cookie, setCookie, base, csrf };
};
