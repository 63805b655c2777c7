import { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { strictNumber } from '../../core/util/strictNumber.js';
import { engineIdentity, openLibrary, parsePositiveInt } from '../engineOptions.js';
import { startReviewServer } from '../review/startReviewServer.js';

const parsePort = (v: string): number => {
  const n = strictNumber(v);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`--port must be 0..65535 (0: any free port), got "${v}"`);
  return n;
};

/** `mespotter review`: the local review web app, until Ctrl-C. */
export const reviewCommand = (): Command =>
  new Command('review')
    .description(
      'review people and clusters in the browser: name, merge, split, confirm and reject faces (127.0.0.1 only)',
    )
    .option(
      '--library <path>',
      'people library (default $MESPOTTER_LIBRARY, else ~/.local/share/mespotter/library.db)',
    )
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one, printed)', parsePort)
    .option('--models <dir>', 'model folder (default: layers/models, or $MESPOTTER_MODELS_DIR)')
    .option('--min-face <px>', 'the --min-face the photos were indexed with (default 48)', parsePositiveInt)
    .action(async (o: { library?: string; port?: number; models?: string; minFace?: number }) => {
      const engine = await engineIdentity(o);
      const library = openLibrary(o);
      let server: Awaited<ReturnType<typeof startReviewServer>>;
      try {
        server = await startReviewServer({
          library,
          engine,
          ...(o.port !== undefined ? { port: o.port } : {}),
        });
      } catch (error) {
        library.close();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new ConfigError(`port ${o.port} is in use; choose another or leave --port out`);
        throw error;
      }
      console.log(`review at ${server.url}`);
      console.log('(this URL opens one browser tab, once: its token is then used up; Ctrl-C to stop)');
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      library.close();
    });
