/**
 * Preload for benchmark child processes (`node --import <this file's URL> ...`): when the
 * environment names a file in MESPOTTER_BENCH_USAGE, the process writes its own resource usage
 * there as it exits. That gives the CPU time (all threads: JS, libvips, onnxruntime) and peak RSS
 * of a child such as `mespotter sort` without changing the CLI: CPU seconds per photo stay
 * meaningful when other work on the machine stretches the wall-clock numbers.
 */
import { writeFileSync } from 'node:fs';

export interface ChildUsage {
  /** User + system CPU seconds of the whole process, start to exit. */
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  maxRssMb: number;
  uptimeSeconds: number;
}

const file = process.env.MESPOTTER_BENCH_USAGE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    const usage: ChildUsage = {
      cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6,
      userSeconds: u.userCPUTime / 1e6,
      systemSeconds: u.systemCPUTime / 1e6,
      maxRssMb: Math.round(u.maxRSS / 1024),
      uptimeSeconds: process.uptime(),
    };
    try {
      writeFileSync(file, JSON.stringify(usage));
    } catch {
      // Best effort: the benchmark reports the CPU time as unknown.
    }
  });
}
