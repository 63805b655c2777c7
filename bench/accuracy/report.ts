/** Plain-text tables for the accuracy benchmark. */
import type { TarAtFar } from '../../core/match/roc.js';
import type { Calibration } from './calibration.js';
import type { DetectionStats, GalleryInfo, NaturalSetResult } from './common.js';
import type { GlintResult } from './glint24.js';
import {
  type OperatingPoint,
  type PrCounts,
  photoPrecisionRecall,
  STRATEGIES,
  STRATEGY_LABEL,
  type VerificationSummary,
} from './metrics.js';

export const num = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined || Number.isNaN(x)
    ? '-'
    : Number.isFinite(x)
      ? x.toFixed(digits)
      : x > 0
        ? '+inf'
        : '-inf';

export const pct = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || Number.isNaN(x) ? '-' : `${(x * 100).toFixed(digits)}%`;

/** FAR with enough precision to tell 1e-4 from 0. */
const farStr = (x: number): string =>
  Number.isNaN(x) ? '-' : x === 0 ? '0' : x < 0.01 ? x.toExponential(1) : pct(x, 2);

/** Columns: first left-aligned, the rest right-aligned unless `align` says otherwise ('l'/'r' per column). */
export const table = (
  headers: string[],
  rows: (string | number)[][],
  indent = '  ',
  align?: string,
): string => {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const left = (c: number): boolean => (align ? align[c] === 'l' : c === 0);
  const line = (r: string[]): string =>
    indent +
    r
      .map((v, c) => (left(c) ? v.padEnd(widths[c]!) : v.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [
    line(cells[0]!),
    indent + widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
};

const tarCell = (t: TarAtFar): string => `${pct(t.tar)} @${num(t.threshold)}${t.resolved ? '' : '*'}`;

export const verificationBlock = (s: VerificationSummary | null, what: string): string => {
  if (!s) return `  (${what}: no genuine or no impostor scores)`;
  const head = table(
    [
      'scores',
      'genuine',
      'impostor',
      'AUC',
      'EER',
      'EER thr',
      "d'",
      'TAR@FAR1e-3 (thr)',
      'TAR@FAR1e-4 (thr)',
    ],
    [
      [
        what,
        s.genuine,
        s.impostor,
        num(s.auc, 4),
        pct(s.eer.rate, 2),
        num(s.eer.threshold),
        num(s.dPrime, 2),
        tarCell(s.tarAtFar1e3),
        tarCell(s.tarAtFar1e4),
      ],
    ],
  );
  const stats = table(
    ['distribution', 'n', 'mean', 'std', 'min', 'p05', 'p50', 'p95', 'max'],
    (
      [
        ['same person', s.same],
        ['different', s.diff],
      ] as const
    ).map(([name, st]) => [
      name,
      st.n,
      num(st.mean),
      num(st.std),
      num(st.min),
      num(st.p05),
      num(st.p50),
      num(st.p95),
      num(st.max),
    ]),
  );
  const unresolved =
    s.tarAtFar1e3.resolved && s.tarAtFar1e4.resolved
      ? ''
      : `\n  * fewer impostors than 1/FAR (${s.impostor}): that FAR cannot be measured, the figure is TAR at FAR 0`;
  return `${head}\n${stats}${unresolved}`;
};

const detectionBlock = (d: Record<string, DetectionStats>): string =>
  table(
    ['detection', 'images', 'with face', 'rate', 'multi-face', 'gate-rejected'],
    Object.entries(d).map(([k, v]) => [k, v.images, v.withFace, pct(v.rate), v.multiFace, v.rejectedByGate]),
  );

const rejectedText = (x: GalleryInfo): string =>
  x.rejected
    .map(
      (r) =>
        `${r.source.slice(0, 28)} (${r.agreement === undefined ? r.reason : `agreement ${num(r.agreement, 2)}`})`,
    )
    .join('; ');

const galleryBlock = (g: readonly GalleryInfo[]): string => {
  const warnings = g.some((x) => x.warnings.length)
    ? `\n  warnings: ${g.flatMap((x) => x.warnings).join(' | ')}`
    : '';
  if (g.length > 10) {
    const refs = g.reduce((s, x) => s + x.references, 0);
    const photos = g.reduce((s, x) => s + x.photos, 0);
    const rejected = g.filter((x) => x.rejected.length).map((x) => `${x.person}: ${rejectedText(x)}`);
    return `  ${g.length} galleries from ${photos} photos, ${refs} references kept; rejected: ${rejected.length ? rejected.join('; ') : 'none'}${warnings}`;
  }
  return (
    table(
      ['gallery', 'photos', 'refs', 'rejected'],
      g.map((x) => [x.person, x.photos, x.references, x.rejected.length ? rejectedText(x) : '-']),
      '  ',
      'lrrl',
    ) + warnings
  );
};

const prRow = (label: string, c: PrCounts): (string | number)[] => [
  label,
  c.tp,
  c.fp,
  c.fn,
  pct(c.precision),
  pct(c.recall),
];

export const prBlock = (
  set: NaturalSetResult,
  thresholds: { label: string; value: number }[],
  perPerson: boolean,
): string => {
  const out: string[] = [];
  for (const t of thresholds) {
    const r = photoPrecisionRecall(set.probes, set.people, t.value);
    const rows = [prRow('all people', r.overall)];
    if (perPerson) for (const p of set.people) rows.push(prRow(p, r.perPerson[p]!));
    out.push(`  "photo contains person" at ${t.label} = ${num(t.value)}:`);
    out.push(table(['person', 'TP', 'FP', 'FN', 'precision', 'recall'], rows, '    '));
  }
  return out.join('\n');
};

export const naturalSetBlock = (
  set: NaturalSetResult,
  summary: VerificationSummary | null,
  thresholds: { label: string; value: number }[],
): string =>
  [
    `== ${set.name}  (${(set.ms / 1000).toFixed(1)} s)`,
    ...set.notes.map((n) => `  - ${n}`),
    ...(set.extraLines ?? []),
    detectionBlock(set.detection),
    galleryBlock(set.galleries),
    verificationBlock(summary, 'face vs gallery (centroid)'),
    prBlock(set, thresholds, set.name !== 'orl'),
  ].join('\n');

export const glintBlock = (g: GlintResult): string => {
  const lines = [
    `== glint24  (${(g.ms / 1000).toFixed(1)} s): ${g.identities} identities, ${g.images} aligned images ` +
      `(${Math.min(...g.perIdentity.map((p) => p.images))}-${Math.max(...g.perIdentity.map((p) => p.images))} per identity)`,
    ...g.notes.map((n) => `  - ${n}`),
    verificationBlock(g.summary, 'image pairs'),
  ];
  if (g.kFold) {
    lines.push(
      `  10-fold accuracy (balanced): ${pct(g.kFold.mean, 2)} ± ${pct(g.kFold.std, 2)}  (mean threshold ${num(g.kFold.threshold)})`,
    );
  }
  const worst = [...g.perIdentity].sort((a, b) => a.genuineMean - b.genuineMean).slice(0, 5);
  lines.push(
    `  lowest same-identity mean similarity: ${worst.map((w) => `${w.identity} ${num(w.genuineMean, 2)}`).join(', ')}`,
  );
  lines.push(
    `  images whose median similarity to their own identity is < 0.2 (likely label noise): ${g.suspectImages.length}` +
      (g.suspectImages.length
        ? ` (${g.suspectImages
            .slice(0, 6)
            .map((s) => s.image)
            .join(', ')}${g.suspectImages.length > 6 ? ', …' : ''})`
        : ''),
  );
  return lines.join('\n');
};

const opCell = (o: OperatingPoint): string => `${farStr(o.far)} / ${pct(o.tar)}`;

export const calibrationBlock = (c: Calibration): string => {
  const lines: string[] = ['== calibration (centroid scores; FAR / TAR per set)'];
  const p = c.pooled;
  lines.push(
    `  pooled: ${p.sets.join(' + ')}: ${p.genuine} genuine, ${p.impostor} impostor scores` +
      ` (glint pairs dominate the impostors when present)`,
  );
  lines.push(
    `  pooled lowest threshold with FAR <= ${c.targetFar}: ${num(p.atTarget.threshold, 4)} ` +
      `(pooled FAR ${farStr(p.atTarget.far)}, TAR ${pct(p.atTarget.tar)}); pooled EER ${pct(p.eer.rate, 2)} at ${num(p.eer.threshold, 4)}`,
  );
  if (c.naturalOnly) {
    const n = c.naturalOnly;
    lines.push(
      `  natural-photo sets only (${n.genuine} genuine, ${n.impostor} impostor): FAR <= ${c.targetFar} from ` +
        `${num(n.atTarget.threshold, 4)} (TAR ${pct(n.atTarget.tar)}${n.atTarget.resolved ? '' : ', unresolved'}); EER ${pct(n.eer.rate, 2)} at ${num(n.eer.threshold, 4)}`,
    );
  }
  lines.push(`  RECOMMENDED DEFAULT_THRESHOLD = ${num(c.recommended.rounded, 2)}  (${c.recommended.rule})`);
  const over = c.perSet.filter((s) => s.ownAtTarget.resolved && s.atRecommendedRounded.far > c.targetFar);
  if (over.length) {
    lines.push(
      `  note: at ${num(c.recommended.rounded, 2)} these sets exceed FAR ${c.targetFar} on their own: ` +
        over.map((s) => `${s.set} ${farStr(s.atRecommendedRounded.far)}`).join(', '),
    );
  }
  lines.push(
    `  alternative, worst set: ${num(c.worstSet.rounded, 2)} (exact ${num(c.worstSet.threshold, 4)}; ${c.worstSet.rule})`,
  );
  lines.push(
    table(
      [
        'set',
        'genuine',
        'impostor',
        `own thr@FAR${c.targetFar}`,
        'own EER (thr)',
        `default ${num(c.defaultThreshold, 2)}`,
        `recommended ${num(c.recommended.rounded, 2)}`,
        `worst-set ${num(c.worstSet.rounded, 2)}`,
        `exact ${num(c.recommended.threshold, 4)}`,
        `pooled EER ${num(c.pooled.eer.threshold, 3)}`,
        ...(c.naturalOnly ? [`natural-only ${num(c.naturalOnly.atTarget.threshold, 3)}`] : []),
      ],
      c.perSet.map((s) => [
        s.set,
        s.atDefault.genuine,
        s.atDefault.impostor,
        `${num(s.ownAtTarget.threshold)}${s.ownAtTarget.resolved ? '' : '*'}`,
        `${pct(s.ownEer.rate, 1)} (${num(s.ownEer.threshold)})`,
        opCell(s.atDefault),
        opCell(s.atRecommendedRounded),
        opCell(s.atWorstSet),
        opCell(s.atRecommended),
        opCell(s.atPooledEer),
        ...(c.naturalOnly ? [opCell(s.atNaturalOnly)] : []),
      ]),
    ),
  );
  lines.push(
    '  * this set has fewer than 1/FAR impostors: its own FAR threshold is the one that accepts no impostor',
  );
  lines.push('');
  lines.push("== gallery scoring strategies (AUC / d' / TAR@FAR1e-3 @thr / EER)");
  const sets = Object.keys(c.strategies);
  lines.push(
    table(
      ['strategy', ...sets],
      STRATEGIES.map((st) => [
        STRATEGY_LABEL[st],
        ...sets.map((s) => {
          const r = c.strategies[s]![st];
          return r
            ? `${num(r.auc, 4)} / ${num(r.dPrime, 2)} / ${pct(r.atFar1e3.tar)} @${num(r.atFar1e3.threshold)}${r.atFar1e3.resolved ? '' : '*'} / ${pct(r.eer.rate, 1)}`
            : '-';
        }),
      ]),
    ),
  );
  return lines.join('\n');
};
