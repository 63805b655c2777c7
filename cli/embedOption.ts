import { Option } from 'commander';
import { EmbedMode } from '../core/config.js';

/** Which scoring a measuring command (compare, calibrate) reports: sort's by default. */
export const embedOption = (): Option =>
  new Option(
    '--embed <mode>',
    'score as sort decides with both embedders fused, or by the first embedder alone (fast mode), from the same analyses',
  )
    .choices([EmbedMode.Fused, EmbedMode.Fast])
    .default(EmbedMode.Fused);

/** One line saying which scoring a result used. */
export const describeScoring = (mode: EmbedMode): string =>
  mode === EmbedMode.Fused
    ? 'fused (both embedders, as sort decides; --embed fast for the first embedder alone)'
    : 'fast (the first embedder alone, as embed.mode "fast" decides)';
