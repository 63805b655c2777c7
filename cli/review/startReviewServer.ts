import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Library } from '../../core/library/Library.js';
import type { EngineIdentity } from '../engineOptions.js';
import { FaceCrops } from './FaceCrops.js';
import { ReviewSession } from './ReviewSession.js';
import { ReviewState } from './ReviewState.js';
import { reviewApp } from './reviewApp.js';

export interface ReviewServer {
  /** The URL to open, its one-time token included. */
  url: string;
  port: number;
  /** The one-time entry token (in `url`). */
  token: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 only: `port` 0 (the default) picks a free one. */
export const startReviewServer = async (o: {
  library: Library;
  engine: EngineIdentity;
  port?: number;
}): Promise<ReviewServer> => {
  const session = new ReviewSession();
  let port = o.port ?? 0;
  const app = reviewApp({
    state: new ReviewState(o.library, o.engine),
    crops: new FaceCrops(o.library, o.engine.config.decode.maxPixels),
    session,
    port: () => port,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${session.entryToken}`,
    port,
    token: session.entryToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of an open browser tab would hold the close forever.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
};
