/**
 * "Decisions at scale" (issue 13, decision side), one embed mode: small faces and the quality rule,
 * the normalised (cohort-unit) ranking and margin, the runner-up margin growing with the number of
 * people enrolled, and many enrolled people by proxy (synthetic distractors), side by side with the
 * plain rule; glint24 verification for reference.
 */
import { DEFAULT_POLICY, type DecisionPolicy, type QualityRule } from '../../core/decide/DecisionPolicy.js';
import { DEFAULT_TAIL_DOF } from '../../core/decide/studentTailThreshold.js';
import { DEFAULT_COHORT_POLICY } from '../../core/decide/thresholds.js';
import { fusedScore, templateOf } from '../../core/match/fusion.js';
import { type ScoredPair, tarAtFar } from '../../core/match/roc.js';
import type { BenchFace, PeopleSetName } from './benchFace.js';
import { manyPeopleProxy, type ProxyResult, type ProxyRow, tailThresholds } from './manyPeopleProxy.js';
import { fixed, mdTable, percent, sci } from './markdown.js';
import { sweepTable } from './peopleReport.js';
import { summarizeProbes } from './probeCounts.js';
import { type GroupResult, type NamedPolicy, runMode } from './runMode.js';
import type { AlbumOptions } from './scenarios.js';
import type { ScoreShape } from './scoreShape.js';
import { sizedProbeSets } from './sizedProbes.js';
import { binCounts, HEIGHT_BINS, type LevelStats, levelStats, QUALITY_BINS, YAW_BINS } from './sizeStudy.js';
import type { SizedFace } from './smallFaces.js';
import type { SyntheticParams } from './syntheticPeople.js';
import { ruleLabel, type ThresholdRule } from './thresholdRules.js';

export interface ScaleOptions {
  /** People enrolled in the proxy (the real ones are always in; values below their count mean "real only"). */
  sizes: number[];
  /** Probe sizes of the proxy: 0 = as in the dataset, else a smallFaces height. */
  probeLevels: number[];
  ks: number[];
  /** Size levels of the small-face study. */
  sizeLevels: number[];
  fitCount: number;
}

export const DEFAULT_SCALE_OPTIONS: ScaleOptions = {
  sizes: [0, 100, 200, 500, 1000, 2000, 5000],
  probeLevels: [0, 32],
  ks: [1, 5],
  sizeLevels: [0, 64, 48, 32, 24],
  fitCount: 200,
};

const RULE: ThresholdRule = { kind: 'studentT', policy: DEFAULT_COHORT_POLICY, dof: DEFAULT_TAIL_DOF };

/** The rule before this work: a fixed 0.05 margin, no quality rule, plain scores. */
const FIXED: DecisionPolicy = { margin: 0.05, exclusive: true };
const GROWTHS = [0.02, 0.03, 0.04, 0.05] as const;
const grow = (perDecade: number): DecisionPolicy => ({
  ...FIXED,
  marginGrowth: { from: 100, perDecade, max: 0.15 },
});
const growLabel = (g: number): string => `m 0.05 +${g.toFixed(2)}/decade over 100`;
const QUALITY: QualityRule = { minHeight: 40, minQuality: 0, maxYaw: Number.POSITIVE_INFINITY, delta: 0.04 };

export const SCALE_POLICIES: NamedPolicy[] = [
  { label: 'm 0.05 fixed (before)', policy: FIXED },
  { label: 'm 0.10 fixed', policy: { ...FIXED, margin: 0.1 } },
  { label: 'm 0.15 fixed', policy: { ...FIXED, margin: 0.15 } },
  ...GROWTHS.map((g) => ({ label: growLabel(g), policy: grow(g) })),
  { label: 'z margin 1', policy: { ...FIXED, normalised: { rankByZ: false, margin: 1 } } },
  { label: 'z rank + z margin 1', policy: { ...FIXED, normalised: { rankByZ: true, margin: 1 } } },
  { label: 'quality h<40 +0.04', policy: { ...FIXED, quality: QUALITY } },
  { label: 'quality h<40 +0.04, m +0.03/decade', policy: { ...grow(0.03), quality: QUALITY } },
  { label: 'shipped DEFAULT_POLICY', policy: DEFAULT_POLICY },
];

/** The quality rule's floor × delta grid on the small-face probes (the margin stays fixed). */
const QUALITY_GRID: NamedPolicy[] = [
  { label: 'none', policy: FIXED },
  ...[36, 44, 56].flatMap((h) =>
    [0.02, 0.04, 0.08].map((d) => ({
      label: `h<${h} +${d.toFixed(2)}`,
      policy: { ...FIXED, quality: { ...QUALITY, minHeight: h, delta: d } },
    })),
  ),
  { label: '|yaw|>0.5 +0.04', policy: { ...FIXED, quality: { ...QUALITY, minHeight: 0, maxYaw: 0.5 } } },
  {
    label: 'quality<0.9 +0.04',
    policy: { ...FIXED, quality: { ...QUALITY, minHeight: 0, minQuality: 0.9 } },
  },
];

const PROXY_GRID: SyntheticParams[] = [false, true].flatMap((domains) =>
  [0, 0.25].flatMap((within) =>
    [0, 0.1].map((isotropic) => ({ domains, within, isotropic, dof: Number.POSITIVE_INFINITY })),
  ),
);

const PROXY_THRESHOLDS = [
  tailThresholds(
    `${ruleLabel(RULE)} (shipped)`,
    () => DEFAULT_COHORT_POLICY.far,
    DEFAULT_COHORT_POLICY.floor,
    DEFAULT_COHORT_POLICY.ceiling,
    DEFAULT_TAIL_DOF,
  ),
  tailThresholds(
    `t${DEFAULT_TAIL_DOF} far min(1e-4, 1%/P)`,
    (P) => Math.min(DEFAULT_COHORT_POLICY.far, 0.01 / P),
    DEFAULT_COHORT_POLICY.floor,
    DEFAULT_COHORT_POLICY.ceiling,
    DEFAULT_TAIL_DOF,
  ),
];

/** glint24 verification (every pair of crops, one template per face), for reference. */
const glintReference = (
  library: readonly BenchFace[],
): { tar3: number; tar4: number; pairs: number } | null => {
  const faces = library.filter((f) => f.set === 'glint24' && f.identity !== null);
  if (faces.length < 2) return null;
  const templates = faces.map((f) => templateOf([f.vectors]));
  const pairs: ScoredPair[] = [];
  for (let i = 0; i < faces.length; i++)
    for (let j = i + 1; j < faces.length; j++)
      pairs.push({
        score: fusedScore(faces[i]!.vectors, templates[j]!),
        same: faces[i]!.identity === faces[j]!.identity,
      });
  return { tar3: tarAtFar(pairs, 1e-3).tar, tar4: tarAtFar(pairs, 1e-4).tar, pairs: pairs.length };
};

const levelName = (l: number): string => (l === 0 ? 'as in the set' : `${l} px`);

const levelTable = (stats: readonly LevelStats[], policy: string): string =>
  mdTable(
    [
      'faces',
      'searched (found)',
      'rank-1',
      'correct',
      'wrong person',
      'strangers named',
      'impostor pairs ≥ threshold',
      'impostor z at 1e-2 / 1e-3 / 1e-4',
      'median impostor / genuine score',
    ],
    stats.map((s) => {
      const c = summarizeProbes(s.counts.get(policy)!);
      const z = (far: number): string => {
        const i = Math.floor(far * s.impostorZ.length);
        return i >= 5 ? fixed(s.impostorZ[i]!, 2) : '-';
      };
      return [
        levelName(s.level),
        `${s.attempted} (${percent(s.found / Math.max(1, s.attempted))})`,
        percent(c.rank1),
        percent(c.correctRate),
        percent(c.wrongRate, 2),
        `${percent(c.namedRate, 2)} of ${c.strangers}`,
        sci(c.pairFar),
        `${z(1e-2)} / ${z(1e-3)} / ${z(1e-4)}`,
        `${fixed(s.impostorMedian)} / ${fixed(s.genuineMedian)}`,
      ];
    }),
  );

const perSetLevelTable = (stats: readonly LevelStats[], policy: string, sets: readonly string[]): string =>
  mdTable(
    ['faces', ...sets],
    stats.map((s) => [
      levelName(s.level),
      ...sets.map((set) => {
        const c = s.bySet.get(set)?.get(policy);
        if (!c) return '-';
        const x = summarizeProbes(c);
        return `${percent(x.correctRate)} / ${percent(x.namedRate, 1)} / ${sci(x.pairFar)}`;
      }),
    ]),
  );

const qualityGridTable = (stats: readonly LevelStats[]): string =>
  mdTable(
    ['quality rule', ...stats.map((s) => levelName(s.level))],
    QUALITY_GRID.map((p) => [
      p.label,
      ...stats.map((s) => {
        const c = s.counts.get(p.label);
        if (!c) return '-';
        return `${percent(c.known ? c.correct / c.known : Number.NaN)} / ${percent(c.strangers ? (c.named + c.wrong) / c.strangers : Number.NaN, 2)}`;
      }),
    ]),
  );

const binTable = (sets: Parameters<typeof binCounts>[0]): string =>
  mdTable(
    ['faces', 'known', 'correct', 'wrong person', 'strangers', 'named', 'impostor pairs ≥ threshold'],
    [HEIGHT_BINS, QUALITY_BINS, YAW_BINS].flatMap((bins) =>
      binCounts(sets, bins, QUALITY_GRID[0]!).map((b) => {
        const x = summarizeProbes(b.counts);
        return [
          b.bin,
          x.known,
          percent(x.correctRate),
          percent(x.wrongRate, 2),
          x.strangers,
          percent(x.namedRate, 2),
          sci(x.pairFar),
        ];
      }),
    ),
  );

const shapeCells = (s: ScoreShape): string[] => [
  fixed(s.median),
  fixed(s.spread),
  s.z.map((v) => fixed(v, 2)).join(' / '),
  s.tail.map((v) => fixed(v, 3)).join(' / '),
  sci(s.farAt040),
  sci(s.farAt050),
  String(s.pairs),
];
const SHAPE_HEAD = [
  'median',
  'spread',
  'z at 1e-2 / 1e-3 / 1e-4',
  'score at 1e-2 / 1e-3 / 1e-4',
  'pairs ≥ 0.40',
  'pairs ≥ 0.50',
  'pairs',
];
const paramsLabel = (p: SyntheticParams): string =>
  `${p.domains ? 'by domain' : 'pooled'}, within ${p.within}, isotropic ${p.isotropic}`;

const scalingTable = (
  rows: readonly ProxyRow[],
  proxy: string,
  k: number,
  level: number,
  thresholds: string,
): string => {
  const mine = rows.filter(
    (r) => r.proxy === proxy && r.k === k && r.probeLevel === level && r.thresholds === thresholds,
  );
  const sizes = [...new Set(mine.map((r) => r.requested))].sort((a, b) => a - b);
  const policies = [...new Set(mine.map((r) => r.policy))];
  return mdTable(
    ['policy', ...sizes.map((s) => `${Math.round(mine.find((r) => r.requested === s)!.people)} people`)],
    policies.map((p) => [
      p,
      ...sizes.map((s) => {
        const r = mine.find((x) => x.requested === s && x.policy === p);
        if (!r) return '-';
        const x = summarizeProbes(r.counts);
        return `${percent(x.correctRate)} / ${percent(x.namedRate, 2)}`;
      }),
    ]),
  );
};

const named = (
  rows: readonly ProxyRow[],
  proxy: string,
  k: number,
  level: number,
  size: number,
  policy: string,
  thresholds: string,
): { named: number; correct: number } | null => {
  const r = rows.find(
    (x) =>
      x.proxy === proxy &&
      x.k === k &&
      x.probeLevel === level &&
      x.requested === size &&
      x.policy === policy &&
      x.thresholds === thresholds,
  );
  if (!r) return null;
  const s = summarizeProbes(r.counts);
  return { named: s.namedRate, correct: s.correctRate };
};

export interface ScaleReport {
  lines: string[];
  json: Record<string, unknown>;
}

export const decisionsAtScale = (o: {
  label: string;
  library: BenchFace[];
  sized: ReadonlyMap<string, ReadonlyMap<number, SizedFace>>;
  modelSetId: string;
  sets: readonly PeopleSetName[];
  folds: Readonly<Record<PeopleSetName, number>>;
  album: AlbumOptions | null;
  options: ScaleOptions;
  log: (msg: string) => void;
}): ScaleReport => {
  const lines: string[] = [`### Decisions at scale, ${o.label}`, ''];
  const json: Record<string, unknown> = {};
  const glint = glintReference(o.library);
  if (glint) {
    lines.push(
      `glint24 verification for reference (${glint.pairs} pairs, one crop per side): TAR at FAR 1e-3 ${percent(glint.tar3)}, at 1e-4 ${percent(glint.tar4)}.`,
      '',
    );
    json.glint = glint;
  }

  o.log('  small faces…');
  const k = Math.max(...o.options.ks);
  const probeSets = sizedProbeSets({
    library: o.library,
    sized: o.sized,
    modelSetId: o.modelSetId,
    k,
    folds: 3,
    levels: o.options.sizeLevels,
    rule: RULE,
  });
  const stats = levelStats(probeSets, QUALITY_GRID);
  const base = QUALITY_GRID[0]!.label;
  lines.push(
    `Small faces (every probe face of the many-people folds, k=${k} full-size references, thresholds ${ruleLabel(RULE)},`,
    'margin 0.05; "searched (found)": faces large enough to be shrunk to that height, and how many the engine',
    "found again; impostor z = score standardised by the person's full-size cohort median and spread):",
    '',
    levelTable(stats, base),
    '',
    'Per set, cells "correct / strangers named / impostor pairs ≥ threshold":',
    '',
    perSetLevelTable(stats, base, o.sets),
    '',
    'By condition, all sizes pooled (height in pixels of the photo the face was found in; quality = detector score',
    'x landmark geometry; |yaw| from the five points):',
    '',
    binTable(probeSets),
    '',
    'Quality rule sweep (threshold + delta for faces below the floor), cells "correct / false names (strangers',
    'named + wrong person) per stranger face":',
    '',
    qualityGridTable(stats),
    '',
  );
  json.sizes = stats.map((s) => ({
    level: s.level,
    attempted: s.attempted,
    found: s.found,
    results: Object.fromEntries([...s.counts].map(([p, c]) => [p, summarizeProbes(c)])),
  }));

  o.log('  scale policies on the real scenarios…');
  const groups: GroupResult[] = runMode({
    library: o.library,
    sets: o.sets,
    modelSetId: o.modelSetId,
    rules: [RULE],
    policies: SCALE_POLICIES,
    folds: o.folds,
    album: o.album,
    log: () => {},
  });
  lines.push(
    `The same policies on the real scenarios (thresholds ${ruleLabel(RULE)}; 5-77 people, so the growing margin`,
    'is still 0.05), cells "photo recall / false matches per 1k faces":',
    '',
    sweepTable(
      groups,
      SCALE_POLICIES.map((p) => ({ label: p.label, rule: ruleLabel(RULE), policy: p.label })),
      'policy',
    ),
    '',
  );

  o.log('  many people by proxy…');
  const proxy: ProxyResult = manyPeopleProxy({
    library: o.library,
    sized: o.sized,
    modelSetId: o.modelSetId,
    ks: o.options.ks,
    sizes: o.options.sizes,
    probeLevels: o.options.probeLevels,
    rule: RULE,
    thresholds: PROXY_THRESHOLDS,
    policies: SCALE_POLICIES,
    grid: PROXY_GRID,
    fitCount: o.options.fitCount,
    log: o.log,
  });
  const central = `t${proxy.tailDof} tail`;
  const shipped = PROXY_THRESHOLDS[0]!.label;
  lines.push(
    'Many people by proxy. Identities in three rotating groups: enrolled (k references), strangers (searched) and',
    'donors (never enrolled nor searched, nor in the library cohort). Synthetic people are drawn from the donors:',
    "identity centre = donor domain mean + random mix of the donors' identity deviations (+ within-identity and",
    'isotropic parts), references = centre + real donor residuals; every synthetic person calibrated on the library',
    `like a real one. Generator fitted at k=${proxy.fitK} so synthetic people score against the strangers like the`,
    'real enrolled people do (impostor pairs, folds pooled):',
    '',
    mdTable(
      ['generator', 'distance', ...SHAPE_HEAD],
      proxy.fit.map((r) => [paramsLabel(r.params), fixed(r.distance, 3), ...shapeCells(r.shape)]),
    ),
    '',
    `Chosen: ${paramsLabel(proxy.chosen)}. Real against synthetic people, against the strangers (what was fitted) and`,
    "against the known faces (the other enrolled people's faces; not fitted):",
    '',
    mdTable(
      ['k', 'faces', 'people', ...SHAPE_HEAD],
      proxy.validation.flatMap((v) => [
        [v.k, 'strangers', 'real', ...shapeCells(v.real)],
        [v.k, 'strangers', 'synthetic', ...shapeCells(v.synthetic)],
        [v.k, 'known', 'real', ...shapeCells(v.realKnown)],
        [v.k, 'known', 'synthetic', ...shapeCells(v.syntheticKnown)],
      ]),
    ),
    '',
    'The synthetic scores as drawn have a lighter upper tail than the real ones (above), so the proxy is run twice:',
    `"drawn" (optimistic) and "${central}" (each synthetic score's standardised value moved to where a Student's t`,
    `with ${proxy.tailDof} degrees of freedom, fitted on the real strangers' scores, puts the same tail fraction:`,
    'matches the real tail where it can be measured and extrapolates it beyond). Like for like, strangers named by',
    'the R real people alone vs by R synthetic people alone (m 0.05):',
    '',
    mdTable(
      ['proxy', 'k', 'thresholds', 'stranger faces', 'real people', 'synthetic people'],
      proxy.likeForLike.map((l) => [
        l.proxy,
        l.k,
        l.thresholds,
        l.strangers,
        percent(l.real, 2),
        percent(l.synthetic, 2),
      ]),
    ),
    '',
  );
  for (const p of [central, 'drawn'])
    for (const level of o.options.probeLevels)
      for (const kk of o.options.ks) {
        if (p === 'drawn' && level !== 0) continue;
        lines.push(
          `Proxy "${p}", k=${kk}, probes ${levelName(level)}, thresholds ${shipped}; cells "known faces named right / strangers named":`,
          '',
          scalingTable(proxy.rows, p, kk, level, shipped),
          '',
        );
      }
  for (const kk of o.options.ks)
    lines.push(
      `Proxy "${central}", k=${kk}, probes as in the set, thresholds ${PROXY_THRESHOLDS[1]!.label}:`,
      '',
      scalingTable(proxy.rows, central, kk, 0, PROXY_THRESHOLDS[1]!.label),
      '',
    );
  const maxSize = Math.max(...o.options.sizes);
  const worst = (policy: string, level: number): number =>
    Math.max(
      ...o.options.ks.map(
        (kk) => named(proxy.rows, central, kk, level, maxSize, policy, shipped)?.named ?? Number.NaN,
      ),
    );
  const ok = GROWTHS.filter((g) => worst(growLabel(g), 0) <= 0.01);
  lines.push(
    `- Strangers named with ${maxSize} people (proxy "${central}", as in the set, worst k): ` +
      SCALE_POLICIES.map((p) => `${p.label} ${percent(worst(p.label, 0), 2)}`).join(', ') +
      `. Smallest margin growth keeping ≤ 1 % for every k: ${ok.length ? `${ok[0]!.toFixed(2)}/decade` : 'none tried'}.`,
    '',
  );
  json.proxy = {
    fitK: proxy.fitK,
    chosen: proxy.chosen,
    tailDof: proxy.tailDof,
    fit: proxy.fit,
    validation: proxy.validation,
    likeForLike: proxy.likeForLike,
    rows: proxy.rows.map((r) => ({ ...r, counts: summarizeProbes(r.counts) })),
  };
  return { lines, json };
};
