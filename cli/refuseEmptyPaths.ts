import type { Command } from 'commander';
import { ConfigError } from '../core/errors.js';

/** Options that take a folder or a file: their placeholder says so. */
const PATH_VALUE = /<(dir|file)>/;

/**
 * Refuses an empty folder or file option (`--out ""`) before the command runs: node would take ''
 * as the current folder, and a run would write into wherever it was started. One rule for every
 * command, by the option's `<dir>` / `<file>` placeholder.
 */
export const refuseEmptyPaths = (_program: Command, action: Command): void => {
  for (const option of action.options) {
    if (!PATH_VALUE.test(option.flags)) continue;
    const value: unknown = action.getOptionValue(option.attributeName());
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'string' && v.trim() === ''))
      throw new ConfigError(`${option.long ?? option.flags} needs a path, got an empty one`);
  }
};
