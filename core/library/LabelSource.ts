/**
 * Where a label's decision was made, in `labels.source` (enrolment stores the reference file there
 * instead). Automatic labels come in two sorts that must never be confused: a `sort` run's
 * decisions (source NULL), which every run replaces, and cluster membership (`cluster`), which
 * only a user action or an undo changes.
 */
export const LabelSource = {
  /** Cluster membership written by `mespotter cluster` (kind auto) or a naming without --confirm. */
  Cluster: 'cluster',
  /** A decision made on the review page. */
  Review: 'review',
  /** A decision made with a `mespotter cluster …` command. */
  Cli: 'cli',
} as const;
export type LabelSource = (typeof LabelSource)[keyof typeof LabelSource];

/** SQL condition (on alias `l`) for a sort run's own automatic labels: the only labels a run may replace. */
export const SORT_LABEL_SQL = `(l.kind = 'auto' AND (l.source IS NULL OR l.source != 'cluster'))`;
