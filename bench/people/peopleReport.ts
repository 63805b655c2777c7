/** The people benchmark's tables (markdown) and the defaults it recommends from them. */
import { inverseNormalCdf } from '../../core/decide/inverseNormalCdf.js';
import { studentTailMultiplier } from '../../core/decide/studentTailThreshold.js';
import { empiricalTail, type FarCheckRow, TAIL_FARS, type TailRule, tailRuleLabel } from './cohortCheck.js';
import { type Counts, type Summary, summarize } from './evaluate.js';
import { fixed, mdTable, percent, sci } from './markdown.js';
import { type GroupResult, thresholdStats } from './runMode.js';

const countsOf = (g: GroupResult, rule: string, policy: string): Counts | undefined =>
  g.counts.get(rule)?.get(policy);

export const summaryOf = (g: GroupResult, rule: string, policy: string): Summary | null => {
  const c = countsOf(g, rule, policy);
  return c ? summarize(c) : null;
};

export const setupTable = (groups: readonly GroupResult[], anyRule: string, anyPolicy: string): string =>
  mdTable(
    [
      'scenario',
      'runs',
      'people enrolled',
      'photos searched',
      'faces',
      'known / stranger faces',
      'rank-1',
      'refs dropped',
    ],
    groups.map((g) => {
      const c = countsOf(g, anyRule, anyPolicy)!;
      return [
        g.group,
        g.scenarios,
        g.people,
        g.photos,
        c.faces,
        `${c.knownFaces} / ${c.strangerFaces}`,
        percent(c.knownFaces ? c.rank1 / c.knownFaces : Number.NaN),
        g.droppedReferences,
      ];
    }),
  );

const SUMMARY_HEAD = [
  'photo P',
  'photo R',
  'min person R',
  'false matches /1k faces',
  'false photos /1k',
  'strangers unknown',
];

const summaryCells = (s: Summary | null): string[] =>
  s
    ? [
        fixed(s.precision),
        fixed(s.recall),
        fixed(s.minRecall, 2),
        `${fixed(s.falseMatchesPer1k, 1)} (${s.falseMatches})`,
        fixed(s.falsePhotosPer1k, 1),
        s.strangerFaces ? percent(s.strangerUnknownRate) : '-',
      ]
    : SUMMARY_HEAD.map(() => '-');

/** Groups × rules × policies, one row each. */
export const sideBySideTable = (
  groups: readonly GroupResult[],
  rules: readonly string[],
  policies: readonly string[],
): string =>
  mdTable(
    ['scenario', 'thresholds', 'assignment', ...SUMMARY_HEAD],
    groups.flatMap((g) =>
      rules.flatMap((r) => policies.map((p) => [g.group, r, p, ...summaryCells(summaryOf(g, r, p))])),
    ),
  );

/** One row per policy (or rule), a "recall / false matches per 1k faces" cell per group. */
export const sweepTable = (
  groups: readonly GroupResult[],
  rows: readonly { label: string; rule: string; policy: string }[],
  firstHeader: string,
): string =>
  mdTable(
    [firstHeader, ...groups.map((g) => g.group)],
    rows.map((row) => [
      row.label,
      ...groups.map((g) => {
        const s = summaryOf(g, row.rule, row.policy);
        return s ? `${fixed(s.recall)} / ${fixed(s.falseMatchesPer1k, 1)}` : '-';
      }),
    ]),
  );

export const thresholdTable = (groups: readonly GroupResult[], rules: readonly string[]): string =>
  mdTable(
    ['thresholds', ...groups.map((g) => g.group)],
    rules.map((r) => [
      r,
      ...groups.map((g) => {
        const v = g.thresholdValues.get(r);
        if (!v) return '-';
        const t = thresholdStats(v.values, v.floor, v.ceiling, v.defaulted);
        return `${fixed(t.median, 2)} [${fixed(t.min, 2)}-${fixed(t.max, 2)}] floor ${t.atFloor}/${t.people}${t.atCeiling ? ` ceil ${t.atCeiling}` : ''}`;
      }),
    ]),
  );

export const genuineTable = (groups: readonly GroupResult[], cuts: readonly number[]): string =>
  mdTable(
    ['set', 'genuine faces', 'p1', 'p5', 'median', ...cuts.map((c) => `≥ ${c.toFixed(2)}`)],
    groups
      .filter((g) => g.genuine.length)
      .map((g) => {
        const s = [...g.genuine].sort((a, b) => a - b);
        const q = (p: number): number => s[Math.floor(p * (s.length - 1))]!;
        return [
          g.group,
          s.length,
          fixed(q(0.01), 2),
          fixed(q(0.05), 2),
          fixed(q(0.5), 2),
          ...cuts.map((c) => percent(s.filter((x) => x >= c).length / s.length)),
        ];
      }),
  );

export const perPersonTable = (g: GroupResult, rule: string, policies: readonly string[]): string => {
  const names = [...(countsOf(g, rule, policies[0]!)?.perPerson.keys() ?? [])];
  return mdTable(
    ['person', ...policies.map((p) => `${p}: P / R (tp fp fn)`)],
    names.map((n) => [
      n.split('/').slice(1).join('/'),
      ...policies.map((p) => {
        const x = countsOf(g, rule, p)?.perPerson.get(n);
        if (!x) return '-';
        const prec = x.tp + x.fp ? x.tp / (x.tp + x.fp) : Number.NaN;
        const rec = x.tp + x.fn ? x.tp / (x.tp + x.fn) : Number.NaN;
        return `${fixed(prec, 2)} / ${fixed(rec, 2)} (${x.tp} ${x.fp} ${x.fn})`;
      }),
    ]),
  );
};

export const tailShapeTable = (
  pooled: Float64Array,
  perSet: readonly { set: string; desc: Float64Array }[],
  dofs: readonly number[],
): string =>
  mdTable(
    [
      'FAR',
      `all (${pooled.length} impostor scores)`,
      ...perSet.map((s) => s.set),
      'normal',
      ...dofs.map((d) => `t${d}`),
    ],
    TAIL_FARS.map((far) => [
      sci(far),
      fixed(empiricalTail(pooled, far), 2),
      ...perSet.map((s) => fixed(empiricalTail(s.desc, far), 2)),
      fixed(inverseNormalCdf(1 - far), 2),
      ...dofs.map((d) => fixed(studentTailMultiplier(far, d), 2)),
    ]),
  );

export const farCheckTable = (
  rows: readonly { rule: TailRule; far: number; rows: FarCheckRow[] }[],
): string =>
  mdTable(
    [
      'tail model',
      'far',
      'people',
      'impostor trials',
      'expected',
      'observed',
      'observed / expected',
      'people with a false match (if uniform)',
      'worst person',
    ],
    rows.flatMap((r) =>
      r.rows.map((x) => [
        `${tailRuleLabel(r.rule)} ${x.group}`,
        sci(r.far),
        x.people,
        x.trials,
        fixed(x.expected, 1),
        x.observed,
        x.expected ? fixed(x.observed / x.expected, 1) : '-',
        `${x.peopleWithFalse} (${fixed(x.peopleWithFalseIfUniform, 1)})`,
        x.worstPerson && x.worstPerson.observed > 0
          ? `${x.worstPerson.name} ${x.worstPerson.observed}/${x.worstPerson.trials}`
          : '-',
      ]),
    ),
  );

/** Recall lost and false matches gained relative to a baseline, worst over groups. */
export const compare = (
  groups: readonly GroupResult[],
  base: { rule: string; policy: string },
  cand: { rule: string; policy: string },
): { maxRecallLoss: number; falseMatchSum: number; baseFalseMatchSum: number } => {
  let maxRecallLoss = Number.NEGATIVE_INFINITY;
  let falseMatchSum = 0;
  let baseFalseMatchSum = 0;
  for (const g of groups) {
    const a = summaryOf(g, base.rule, base.policy);
    const b = summaryOf(g, cand.rule, cand.policy);
    if (!a || !b) continue;
    if (!Number.isNaN(a.recall)) maxRecallLoss = Math.max(maxRecallLoss, a.recall - b.recall);
    falseMatchSum += b.falseMatchesPer1k;
    baseFalseMatchSum += a.falseMatchesPer1k;
  }
  return { maxRecallLoss, falseMatchSum, baseFalseMatchSum };
};

/**
 * Margins over the runner-up of correct assignments (what a margin would cost) and of false ones
 * (what it would save), exclusive assignment without margin.
 */
export const marginTable = (
  groups: readonly GroupResult[],
  rule: string,
  policy: string,
  cuts: readonly number[],
): string =>
  mdTable(
    [
      'scenario',
      'correct (with a runner-up)',
      'margin p0.5 / p1 / p5',
      ...cuts.map((c) => `correct < ${c.toFixed(2)}`),
      'false',
      ...cuts.map((c) => `false < ${c.toFixed(2)}`),
    ],
    groups.map((g) => {
      const c = countsOf(g, rule, policy);
      if (!c) return [g.group, '-'];
      const ok = [...c.correctMargins].sort((a, b) => a - b);
      const q = (p: number): number => ok[Math.floor(p * (ok.length - 1))] ?? Number.NaN;
      return [
        g.group,
        ok.length,
        `${fixed(q(0.005), 3)} / ${fixed(q(0.01), 3)} / ${fixed(q(0.05), 3)}`,
        ...cuts.map((m) => ok.filter((x) => x < m).length),
        c.falseMargins.length,
        ...cuts.map((m) => c.falseMargins.filter((x) => x < m).length),
      ];
    }),
  );
