/** Numbers reach report.html only through these, so a NaN or an infinity cannot break the markup or the CSS. */

/** Fraction of `of` as a percentage clipped to 0..100; NaN and infinities become 0. */
export const clipPercent = (value: number, of: number): number => {
  const p = (value / of) * 100;
  return Number.isFinite(p) ? Math.min(100, Math.max(0, p)) : 0;
};

export const pct = (value: number): string => value.toFixed(3);

/** A score with 2 decimals, or a dash when there is none. */
export const score = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(2);

export const positiveInt = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;

/** A count with thousands separators (fixed locale, so the page is the same everywhere). */
export const count = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '0';
