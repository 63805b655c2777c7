/**
 * Faces the embedders see poorly (small, turned away, unclear) produce most false matches: such a
 * face must clear its person's threshold by `delta` more. A face is below the floor when ANY of its
 * known measures is; a measure the face does not carry (vectors only, no box) does not count.
 */
export interface QualityRule {
  /** Box height in original-photo pixels below which a face is small. */
  minHeight: number;
  /** Engine quality (detector score x landmark geometry) below which a face is unclear. */
  minQuality: number;
  /** |yaw| (core/cluster/facePose.ts: half eye distances, ~1 = nose in front of an eye) above which a face is turned. */
  maxYaw: number;
  /** Added to the person's threshold for such a face. */
  delta: number;
}

/**
 * Decisions in units of each person's impostor cohort (needs every enrolled person's cohort median
 * and spread; without them the plain score rules apply): z = (score − median) / spread.
 */
export interface NormalisedRule {
  /** Pick a face's best person by z instead of by score. */
  rankByZ: boolean;
  /** Runner-up margin in z units (z of the best minus z of the runner-up); replaces `margin`. 0 = off. */
  margin: number;
}

/**
 * The runner-up margin as more people are enrolled: every extra person is one more chance for a
 * stranger's face to find a look-alike, and the margin is what stops a stranger whose best score
 * clears a threshold by luck (the runner-up is then close behind). It grows by `perDecade` for
 * every tenfold of enrolled people beyond `from`, up to `max`.
 */
export interface MarginGrowth {
  from: number;
  perDecade: number;
  max: number;
}

/** How a photo's faces are assigned to people. */
export interface DecisionPolicy {
  /**
   * A face goes to its best person only if it beats the runner-up person by at least this much
   * (0 turns the rule off). Calibrated on ../shared/datasets: BENCHMARKS.md "People".
   */
  margin: number;
  /**
   * Exclusive assignment: each face at most one person and each person at most one face per photo.
   * False only for benchmarking the old rule (every person decided independently).
   */
  exclusive: boolean;
  /** Stricter thresholds for poorly seen faces; absent = off. */
  quality?: QualityRule;
  /** Ranking and margin in cohort units; absent = plain scores. */
  normalised?: NormalisedRule;
  /** `margin` grows with the number of people enrolled; absent = fixed. */
  marginGrowth?: MarginGrowth;
}

/** The score margin a decision among `people` enrolled people uses (pure). */
export const marginFor = (policy: DecisionPolicy, people: number): number => {
  const g = policy.marginGrowth;
  if (!g || people <= g.from || policy.margin <= 0) return policy.margin;
  return Math.min(Math.max(g.max, policy.margin), policy.margin + g.perDecade * Math.log10(people / g.from));
};

/**
 * Measured by `npm run bench:people` (BENCHMARKS.md "People", 2026-12-02): no correct assignment
 * in any scenario of ../shared/datasets (every set closed and open, a 3,000-photo generated album;
 * fused and fast modes) beat its runner-up by less than 0.05, so it costs no recall there, while
 * 0.08 and more start losing faces (glint24). The assignment, not the margin, removes most false
 * matches; the margin is the guard for two enrolled people who look alike.
 */
export const DEFAULT_MARGIN = 0.05;

/**
 * Measured by `npm run bench:people` "Decisions at scale" (BENCHMARKS.md, 2026-12-02): with up to
 * 5,000 people enrolled by proxy (real people plus synthetic ones calibrated like them, their score
 * tail made as heavy as the real one), a fixed 0.05 named 3.4 % (fused) and 6.3 % (fast) of strangers'
 * faces; growing by 0.04 per tenfold beyond 100 people kept it at 0.51 % and 0.90 % (≤ 1 % for 1 and 5
 * references, full-size and 32 px faces) for 0.7-2.3 points of correct names at 5,000 people (fast
 * mode 1.5-4.1); 0.03 left 1.3-1.4 %. Up to 100 people (every real scenario) nothing changes.
 */
export const DEFAULT_MARGIN_GROWTH: MarginGrowth = Object.freeze({ from: 100, perDecade: 0.04, max: 0.15 });

export const DEFAULT_POLICY: DecisionPolicy = Object.freeze({
  margin: DEFAULT_MARGIN,
  exclusive: true,
  marginGrowth: DEFAULT_MARGIN_GROWTH,
});
