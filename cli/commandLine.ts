/** How this process was invoked, for lock files and logs: `mespotter sort ~/Pictures …`. */
export const commandLine = (argv: readonly string[] = process.argv): string =>
  ['mespotter', ...argv.slice(2)].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
