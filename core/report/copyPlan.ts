/** Where the copies of a matched photo go. */
export const Layout = {
  /** OUT/<path>: one copy whatever the number of people found (the one-person default). */
  Flat: 'flat',
  /** OUT/<person>/<path>: one copy per person found (the default when several are searched). */
  ByPerson: 'by-person',
} as const;
export type Layout = (typeof Layout)[keyof typeof Layout];

export interface PlannedCopy {
  /** The people this copy is for. */
  people: string[];
  /** Destination relative to the output root, '/'-separated. */
  rel: string;
}

/** The layout when the user did not choose: by person as soon as more than one person is searched. */
export const defaultLayout = (searchedPeople: number): Layout =>
  searchedPeople > 1 ? Layout.ByPerson : Layout.Flat;

/**
 * The copy policy, one rule for the CLI and the cloud: a photo with searched people in it gets one
 * copy per person (by-person) or one copy for all (flat), at the photo's own relative path.
 */
export const copyPlan = (found: readonly string[], rel: string, layout: Layout): PlannedCopy[] => {
  if (found.length === 0) return [];
  if (layout === Layout.Flat) return [{ people: [...found], rel }];
  return found.map((person) => ({ people: [person], rel: `${person}/${rel}` }));
};
