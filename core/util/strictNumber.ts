/**
 * A number written as text, or undefined. Unlike `Number()`, empty or blank text is not 0: a flag
 * such as `--threshold ""` must be refused, not read as "match everything".
 */
export const strictNumber = (text: string): number | undefined => {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
};
