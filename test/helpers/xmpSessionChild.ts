/**
 * Child process for the signal tests: opens an exiftool session, says READY with the exiftool PIDs
 * on stdout, then idles or writes sidecars in a loop until a signal arrives.
 *   node --import tsx test/helpers/xmpSessionChild.ts idle|write-loop|own-handler|own-handler-exit|return <photo>
 * `return` just finishes without closing the session: the process must still exit by itself.
 */
import { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { writeFaceTags } from '../../core/xmp/writeFaceTags.js';

const [mode, photo] = process.argv.slice(2);
const session = ExifToolSession.open();
await session.version();

if (mode === 'own-handler-exit') {
  // A handler that exits at once, without closing: the exit hook must still end exiftool.
  process.on('SIGINT', () => process.exit(3));
}
if (mode === 'own-handler') {
  // A CLI with its own graceful stop: it closes the session itself and exits normally.
  process.on('SIGINT', () => {
    void session.close().then(() => {
      process.stdout.write('CLOSED\n');
      process.exit(0);
    });
  });
}

process.stdout.write(`READY ${JSON.stringify(session.pids)}\n`);

if (mode === 'write-loop' && photo) {
  for (let i = 0; ; i++) {
    const x = (i * 37) % 560;
    const y = Math.floor((i * 37) / 560) * 40;
    await writeFaceTags(session, photo, [
      {
        name: `P${i}`,
        box: { x1: x, y1: y % 440, x2: x + 30, y2: (y % 440) + 30 },
        uprightWidth: 640,
        uprightHeight: 480,
      },
    ]);
    if (i === 0) process.stdout.write('WROTE\n');
  }
} else if (mode !== 'return') {
  setInterval(() => undefined, 1000);
}
