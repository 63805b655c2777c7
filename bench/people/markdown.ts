/** Markdown tables, so the printed report pastes into BENCHMARKS.md as it is. */
export const mdTable = (
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string =>
  [
    `| ${headers.join(' | ')} |`,
    `|${headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(String).join(' | ')} |`),
  ].join('\n');

export const fixed = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits);

export const percent = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(digits)}%`;

export const sci = (x: number): string => (x === 0 ? '0' : x.toExponential(1));
