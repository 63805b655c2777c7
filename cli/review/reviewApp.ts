import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { EditError, EditErrorCode } from '../../core/library/EditError.js';
import { LabelSource } from '../../core/library/LabelSource.js';
import type { EditResult } from '../../core/library/LibraryEdits.js';
import { APP_CSS, APP_JS } from './assets.js';
import type { FaceCrops } from './FaceCrops.js';
import type { PageContext } from './pages/layout.js';
import { peoplePage } from './pages/peoplePage.js';
import { personPage } from './pages/personPage.js';
import { photoPage } from './pages/photoPage.js';
import { runPage, runsPage } from './pages/runsPage.js';
import type { ReviewSession } from './ReviewSession.js';
import type { ReviewState } from './ReviewState.js';
import { peopleOverview, personView, photoView, runsList, runView } from './reviewData.js';
import { reviewSecurity } from './reviewSecurity.js';

const HTMX = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));

/** A placeholder for a face whose photo is gone: the page says so instead of showing a broken image. */
const MISSING_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160" viewBox="0 0 160 160"><rect width="160" height="160" fill="#eee"/>' +
  '<text x="80" y="76" text-anchor="middle" font-family="sans-serif" font-size="14" fill="#888">photo</text>' +
  '<text x="80" y="96" text-anchor="middle" font-family="sans-serif" font-size="14" fill="#888">missing</text></svg>';

// ---- request bodies (form posts from htmx, or JSON) -------------------------------------------

const idText = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^\d{1,12}$/)
    .transform(Number),
]);
const idList = z
  .union([idText, z.array(idText)])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .refine((v) => v.length > 0 && v.length <= 5000, 'between 1 and 5000 ids');
const flag = z
  .union([z.boolean(), z.enum(['1', 'on', 'true', '0', 'false'])])
  .optional()
  .transform((v) => v === true || v === '1' || v === 'on' || v === 'true');
const text = z.string().trim().max(64);
const back = z.string().max(200).optional();

const BODIES = {
  name: z.object({ person: idText, name: text.min(1), confirm: flag, back }),
  merge: z.object({ merge: idList.refine((v) => v.length >= 2, 'select at least two'), back }),
  split: z.object({ person: idText, faces: idList, name: text.optional(), back }),
  confirm: z.object({ person: idText, faces: idList, back }),
  reject: z.object({ person: idText, faces: idList, back }),
  assign: z.object({
    faces: idList,
    to: z.union([idText, z.literal('')]).optional(),
    name: text.optional(),
    back,
  }),
  unassign: z.object({ faces: idList, back }),
  undo: z.object({ action: idText.optional(), back }),
} as const;
type Action = keyof typeof BODIES;

const STATUS: Record<string, 400 | 404 | 409> = {
  [EditErrorCode.NotFound]: 404,
  [EditErrorCode.Invalid]: 400,
  [EditErrorCode.Conflict]: 409,
};

/** Pages a change may come back to; anything else falls back to People. */
const BACK = /^\/(person\/\d{1,12}|photo\/\d{1,12}|runs(\/\d{1,12})?)?$/;

const readBody = async (c: Context): Promise<unknown> => {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/json')) return c.req.json();
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    const body = await c.req.parseBody({ all: true });
    // Empty optional fields (an unselected <select>, an empty text box) are absent, not "".
    return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== ''));
  }
  throw new EditError(EditErrorCode.Invalid, 'send a form or JSON body');
};

export interface ReviewAppOptions {
  state: ReviewState;
  crops: FaceCrops;
  session: ReviewSession;
  /** The port the server listens on (known once it is listening). */
  port: () => number;
}

/**
 * The review web app (Hono; server-rendered HTML, htmx for changes): People, a person, a photo,
 * runs; face crops and photos cut on demand; every change one library transaction through
 * LibraryEdits, answered with the page it came from re-rendered from the library, so two tabs
 * always show what is stored (the later edit wins).
 */
export const reviewApp = (o: ReviewAppOptions): Hono => {
  const { state, crops, session } = o;
  const { base, csrf } = session;
  /** Where a page's path (`/person/:id`) is served: under the session's secret path. */
  const at = (path: string): string => `${base}${path.slice(1)}`;
  const app = new Hono();
  app.use('*', reviewSecurity(session, o.port));
  app.use(
    at('/api/*'),
    bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.text('request body too large\n', 413) }),
  );

  const ctxOf = (path: string, flash?: PageContext['flash']): PageContext => {
    const undo = state.edits.lastAction()?.summary;
    return { csrf, base, path, ...(flash ? { flash } : {}), ...(undo ? { undo } : {}) };
  };
  const everyone = () => state.library.allPeople().map((p) => ({ id: p.id, name: p.name }));

  /** The page at `path`, or undefined when what it shows no longer exists. */
  const render = async (path: string, flash?: PageContext['flash']): Promise<string | undefined> => {
    const ctx = ctxOf(path, flash);
    if (path === '/') return peoplePage(ctx, peopleOverview(state));
    if (path === '/runs') return runsPage(ctx, runsList(state));
    const [, kind, idText] = path.split('/');
    const id = Number(idText);
    if (kind === 'person') {
      const person = state.library.personById(id);
      return person ? personPage(ctx, await personView(state, person), everyone()) : undefined;
    }
    if (kind === 'photo') {
      const v = photoView(state, id);
      return v ? photoPage(ctx, v, await crops.where(id), everyone()) : undefined;
    }
    if (kind === 'runs') {
      const v = await runView(state, id);
      return v ? runPage(ctx, v) : undefined;
    }
    return undefined;
  };

  const page = (path: string) => async (c: Context) => {
    const html = await render(path.replace(':id', c.req.param('id') ?? ''));
    return html ? c.html(html) : c.text('not found\n', 404);
  };
  app.get(at('/'), page('/'));
  app.get(at('/runs'), page('/runs'));
  app.get(at('/person/:id{[0-9]{1,12}}'), page('/person/:id'));
  app.get(at('/photo/:id{[0-9]{1,12}}'), page('/photo/:id'));
  app.get(at('/runs/:id{[0-9]{1,12}}'), page('/runs/:id'));

  app.get(at('/face/:file{[0-9]{1,12}\\.jpg}'), async (c) => {
    const id = Number((c.req.param('file') ?? '').slice(0, -4));
    if (!state.library.face(id)) return c.text('no such face\n', 404);
    const jpeg = await crops.crop(id).catch(() => null);
    if (!jpeg)
      return c.body(MISSING_SVG, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' });
    return c.body(new Uint8Array(jpeg), 200, {
      'Content-Type': 'image/jpeg',
      'Cache-Control': 'private, max-age=3600',
    });
  });
  app.get(at('/photo/:file{[0-9]{1,12}\\.jpg}'), async (c) => {
    const id = Number((c.req.param('file') ?? '').slice(0, -4));
    const jpeg = await crops.view(id).catch(() => null);
    if (!jpeg) return c.text('photo missing\n', 404);
    return c.body(new Uint8Array(jpeg), 200, {
      'Content-Type': 'image/jpeg',
      'Cache-Control': 'private, max-age=600',
    });
  });
  const asset = (body: string | Buffer, type: string) => (c: Context) =>
    c.body(typeof body === 'string' ? body : new Uint8Array(body), 200, {
      'Content-Type': type,
      'Cache-Control': 'private, max-age=3600',
    });
  app.get(at('/static/htmx.min.js'), asset(HTMX, 'text/javascript; charset=utf-8'));
  app.get(at('/static/app.js'), asset(APP_JS, 'text/javascript; charset=utf-8'));
  app.get(at('/static/app.css'), asset(APP_CSS, 'text/css; charset=utf-8'));

  const run = (
    action: Action,
    body: z.infer<(typeof BODIES)[Action]>,
  ): EditResult | { action: { summary: string } } => {
    const source = LabelSource.Review;
    const e = state.edits;
    switch (action) {
      case 'name': {
        const b = body as z.infer<typeof BODIES.name>;
        return e.nameCluster(b.person, b.name, { confirm: b.confirm, source });
      }
      case 'merge': {
        const [into, ...from] = (body as z.infer<typeof BODIES.merge>).merge;
        return e.merge(into!, from, { source });
      }
      case 'split': {
        const b = body as z.infer<typeof BODIES.split>;
        return e.split(b.person, b.faces, { ...(b.name ? { name: b.name } : {}), source });
      }
      case 'confirm': {
        const b = body as z.infer<typeof BODIES.confirm>;
        return e.confirm(b.person, b.faces, { source });
      }
      case 'reject': {
        const b = body as z.infer<typeof BODIES.reject>;
        return e.reject(b.person, b.faces, { source });
      }
      case 'assign': {
        const b = body as z.infer<typeof BODIES.assign>;
        if (typeof b.to === 'number') return e.assign(b.faces, { personId: b.to }, { source });
        if (b.name) return e.assign(b.faces, { name: b.name }, { source });
        throw new EditError(EditErrorCode.Invalid, 'choose a person or type a new name');
      }
      case 'unassign':
        return e.unassign((body as z.infer<typeof BODIES.unassign>).faces, { source });
      case 'undo': {
        const { undone } = e.undo((body as z.infer<typeof BODIES.undo>).action);
        return { action: { summary: `undid: ${undone.summary}` } };
      }
    }
  };

  for (const action of Object.keys(BODIES) as Action[]) {
    app.post(at(`/api/${action}`), async (c) => {
      let raw: unknown;
      try {
        raw = await readBody(c);
      } catch (error) {
        if (error instanceof EditError) return c.text(`${error.message}\n`, 400);
        return c.text('malformed body\n', 400);
      }
      const parsed = BODIES[action].safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return c.text(
          `bad request: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}\n`,
          400,
        );
      }
      let result: ReturnType<typeof run>;
      try {
        result = run(action, parsed.data);
      } catch (error) {
        if (error instanceof EditError) return c.text(`${error.message}\n`, STATUS[error.code] ?? 400);
        throw error;
      }
      const flash = { text: result.action.summary };
      const wanted = parsed.data.back && BACK.test(parsed.data.back) ? parsed.data.back : '/';
      let html = await render(wanted, flash);
      let shown = wanted;
      // The page's person was merged away or undone: show where the faces went instead.
      if (!html) {
        const person = 'person' in result && result.person ? result.person : undefined;
        shown = person && state.library.personById(person.id) ? `/person/${person.id}` : '/';
        html = (await render(shown, flash))!;
      }
      if (shown !== wanted) c.header('HX-Push-Url', at(shown));
      return c.html(html);
    });
  }
  app.notFound((c) => c.text('not found\n', 404));
  app.onError((error, c) => {
    process.stderr.write(
      `mespotter review: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return c.text('internal error (see the terminal running mespotter review)\n', 500);
  });
  return app;
};
