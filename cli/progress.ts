import cliProgress from 'cli-progress';

export interface ProgressSink {
  start(total: number): void;
  update(done: number, matched: number): void;
  stop(): void;
}

/** A live bar with photos/s and ETA on a terminal; a plain line every few seconds in logs and CI. */
export const createProgress = (stream: NodeJS.WriteStream = process.stderr, quiet = false): ProgressSink => {
  if (quiet) return { start: () => undefined, update: () => undefined, stop: () => undefined };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          ' {bar} {percentage}% | {value}/{total} photos | {rate} photos/s | ETA {eta_formatted} | matched {matched}',
        etaBuffer: 50,
        fps: 5,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    return {
      start: (total) => bar.start(total, 0, { rate: '0.0', matched: 0 }),
      update: (done, matched) =>
        bar.update(done, {
          rate: (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1),
          matched,
        }),
      stop: () => bar.stop(),
    };
  }
  let total = 0;
  let started = 0;
  let lastPrint = 0;
  const line = (done: number, matched: number): void => {
    const seconds = (Date.now() - started) / 1000;
    const rate = done / Math.max(0.001, seconds);
    const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    const pct = total ? Math.floor((100 * done) / total) : 100;
    stream.write(
      `progress ${done}/${total} (${pct}%) ${rate.toFixed(1)} photos/s ETA ${eta}s matched ${matched}\n`,
    );
  };
  return {
    start: (t) => {
      total = t;
      started = Date.now();
      lastPrint = started;
    },
    update: (done, matched) => {
      const now = Date.now();
      if (now - lastPrint >= 5000) {
        lastPrint = now;
        line(done, matched);
      }
    },
    stop: () => undefined,
  };
};
