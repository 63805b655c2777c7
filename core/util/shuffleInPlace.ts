/** Fisher-Yates shuffle of `xs` in place with the given [0, 1) generator (seededRng for reproducible order); returns xs. */
export const shuffleInPlace = <T>(xs: T[], random: () => number): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
};
