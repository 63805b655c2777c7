/**
 * People benchmark (issue 9): with everyone enrolled at once, every searched photo of
 * ../shared/datasets decided by the decision core (core/decide/decidePhoto.ts), side by side in one
 * run: the old independent per-person rule, the exclusive assignment without and with a runner-up
 * margin, fixed 0.40 against per-person cohort thresholds (normal tail as in thresholds.ts, and the
 * proposed Student's t tail) at several target FARs; closed set, open set (identities held out as
 * strangers) and a generated album of group photos drawn from the sets' faces. Then a check of the
 * cohort calibration itself: predicted FAR against the false-match rate observed on impostors.
 *
 *   node dist/bench/people.js [--datasets DIR] [--sets bbt,five_celebrity,orl,glint24]
 *       [--album 3000] [--glint-k 5] [--no-fast] [--json FILE]
 *       [--no-scale | --scale-only] [--scale-sizes 0,100,…,5000] [--scale-levels 0,32]
 *
 * "Decisions at scale" (bench/people/decisionsAtScale.ts; issue 13): small faces made by shrinking
 * the sets' photos and re-analysing them (cached in .bench-data/people/small-*), the quality rule,
 * the normalised and growing margins, and many enrolled people by proxy (synthetic distractors).
 * --scale-only skips the sections before it.
 *
 * Faces come from the real engine in its default configuration and are cached in
 * .bench-data/people/. Skips cleanly (exit 0) when the datasets are absent.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveEngineConfig } from '../core/config.js';
import { DEFAULT_MARGIN } from '../core/decide/DecisionPolicy.js';
import { personModelOf } from '../core/decide/personModel.js';
import { DEFAULT_TAIL_DOF } from '../core/decide/studentTailThreshold.js';
import { type CohortPolicy, DEFAULT_COHORT_POLICY } from '../core/decide/thresholds.js';
import { DEFAULT_THRESHOLD } from '../core/match/defaults.js';
import { FUSION_WEIGHTS } from '../core/match/fusion.js';
import { exists } from './accuracy/images.js';
import { benchArgs, integersIn, namesIn } from './benchArgs.js';
import { albumScaling, type ScalingRow } from './people/albumScaling.js';
import { type BenchFace, PEOPLE_SETS, type PeopleSetName, withoutDescriptors } from './people/benchFace.js';
import {
  cohortSizeStability,
  farCheck,
  fitDof,
  ownFaceShift,
  standardisedImpostors,
  type TailRule,
  tailPeople,
  tailRuleLabel,
} from './people/cohortCheck.js';
import { DEFAULT_SCALE_OPTIONS, decisionsAtScale, type ScaleOptions } from './people/decisionsAtScale.js';
import { enrolPeople } from './people/enrolPeople.js';
import { summarize } from './people/evaluate.js';
import { fixed, mdTable } from './people/markdown.js';
import { peopleFaces } from './people/peopleFaces.js';
import {
  compare,
  farCheckTable,
  genuineTable,
  marginTable,
  perPersonTable,
  setupTable,
  sideBySideTable,
  summaryOf,
  sweepTable,
  tailShapeTable,
  thresholdTable,
} from './people/peopleReport.js';
import { type GroupResult, type NamedPolicy, runMode } from './people/runMode.js';
import { type AlbumOptions, cohortOf, everyone, generatedAlbum } from './people/scenarios.js';
import { sizedByKey, withConditions } from './people/sizedProbes.js';
import { smallFaces } from './people/smallFaces.js';
import { ruleLabel, type ThresholdRule } from './people/thresholdRules.js';

interface Args {
  datasets: string;
  sets: PeopleSetName[];
  album: number;
  glintK: number;
  fast: boolean;
  json?: string;
  /** Run the decisions-at-scale section; and only it. */
  scale: boolean;
  scaleOnly: boolean;
  scaleOptions: ScaleOptions;
}

const usage =
  'usage: node dist/bench/people.js [--datasets DIR] [--sets a,b,...] [--album N] [--glint-k K] [--no-fast] [--json FILE]' +
  ' [--no-scale | --scale-only] [--scale-sizes N,N,...] [--scale-levels N,N,...]';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

const parseCommandLine = (): Args => {
  const { values } = benchArgs(usage, {
    datasets: { type: 'string', default: resolve(projectRoot, '..', 'shared', 'datasets') },
    sets: { type: 'string' },
    album: { type: 'string', default: '3000' },
    'glint-k': { type: 'string', default: '5' },
    'no-fast': { type: 'boolean', default: false },
    'no-scale': { type: 'boolean', default: false },
    'scale-only': { type: 'boolean', default: false },
    'scale-sizes': { type: 'string' },
    'scale-levels': { type: 'string' },
    json: { type: 'string' },
  });
  const one = (flag: string, v: string, min: number): number => integersIn(flag, v, min, usage)[0]!;
  const scaleOptions: ScaleOptions = { ...DEFAULT_SCALE_OPTIONS };
  if (values['scale-sizes'] !== undefined)
    scaleOptions.sizes = integersIn('--scale-sizes', values['scale-sizes'], 0, usage);
  if (values['scale-levels'] !== undefined)
    scaleOptions.probeLevels = integersIn('--scale-levels', values['scale-levels'], 0, usage);
  return {
    datasets: resolve(values.datasets),
    sets: values.sets !== undefined ? namesIn(values.sets, PEOPLE_SETS) : [...PEOPLE_SETS],
    album: one('--album', values.album, 0),
    glintK: one('--glint-k', values['glint-k'], 1),
    fast: !values['no-fast'],
    scale: !values['no-scale'],
    scaleOnly: values['scale-only'],
    scaleOptions,
    ...(values.json !== undefined ? { json: values.json } : {}),
  };
};

const FARS = [1e-3, 3e-4, 1e-4, 1e-5] as const;
const MARGINS = [0.02, 0.03, 0.05, 0.08, 0.1, 0.15] as const;
const FOLDS: Record<PeopleSetName, number> = { bbt: 8, five_celebrity: 5, orl: 4, glint24: 4 };

const INDEPENDENT = 'independent';
const EXCLUSIVE_0 = 'exclusive m 0';
const marginLabel = (m: number): string => `exclusive m ${m.toFixed(2)}`;
const POLICIES: NamedPolicy[] = [
  { label: INDEPENDENT, policy: { exclusive: false, margin: 0 } },
  { label: EXCLUSIVE_0, policy: { exclusive: true, margin: 0 } },
  ...[...new Set([...MARGINS, DEFAULT_MARGIN])]
    .filter((m) => m > 0)
    .sort((a, b) => a - b)
    .map((m) => ({ label: marginLabel(m), policy: { exclusive: true, margin: m } })),
];
const DEFAULT_LABEL = DEFAULT_MARGIN > 0 ? marginLabel(DEFAULT_MARGIN) : EXCLUSIVE_0;

const policyAt = (far: number, over: Partial<CohortPolicy> = {}): CohortPolicy => ({
  ...DEFAULT_COHORT_POLICY,
  far,
  ...over,
});
const FIXED: ThresholdRule = { kind: 'fixed', value: DEFAULT_THRESHOLD };
const normalAt = (far: number, over: Partial<CohortPolicy> = {}): ThresholdRule => ({
  kind: 'normal',
  policy: policyAt(far, over),
});
const studentAt = (far: number, over: Partial<CohortPolicy> = {}): ThresholdRule => ({
  kind: 'studentT',
  policy: policyAt(far, over),
  dof: DEFAULT_TAIL_DOF,
});
const DEFAULT_FAR = DEFAULT_COHORT_POLICY.far;
const RULES: ThresholdRule[] = [
  FIXED,
  ...FARS.map((f) => normalAt(f)),
  ...FARS.map((f) => studentAt(f)),
  // Floor and ceiling sensitivity at the default FAR.
  normalAt(DEFAULT_FAR, { floor: 0.3 }),
  studentAt(DEFAULT_FAR, { floor: 0.3 }),
  ...[0.5, 0.55, 0.6, 0.7]
    .filter((c) => c !== DEFAULT_COHORT_POLICY.ceiling)
    .flatMap((ceiling) => [normalAt(DEFAULT_FAR, { ceiling }), studentAt(DEFAULT_FAR, { ceiling })]),
];

interface TailReport {
  lines: string[];
  json: Record<string, unknown>;
}

/** The cohort calibration check on the whole library (everyone of every set enrolled). */
const tailReport = (library: BenchFace[], modelSetId: string, sets: readonly PeopleSetName[]): TailReport => {
  const lib = everyone(library);
  const models = enrolPeople(lib.people, modelSetId).galleries.map((g) =>
    personModelOf(g, DEFAULT_THRESHOLD),
  );
  const cohort = cohortOf(library, lib);
  const tp = tailPeople(models, cohort);
  const pooled = standardisedImpostors(tp);
  const perSet = sets.map((s) => ({ set: s, desc: standardisedImpostors(tp.filter((p) => p.set === s)) }));
  const fitted = fitDof(pooled);
  const loso = sets.map((s) => ({
    set: s,
    fit: fitDof(standardisedImpostors(tp.filter((p) => p.set !== s))),
  }));
  const rules: TailRule[] = [
    { kind: 'normal' },
    { kind: 'studentT', dof: DEFAULT_TAIL_DOF },
    ...(Number.isFinite(fitted.dof) && fitted.dof !== DEFAULT_TAIL_DOF
      ? [{ kind: 'studentT', dof: fitted.dof } as TailRule]
      : []),
  ];
  const checks = rules.flatMap((rule) =>
    [1e-3, 1e-4, 1e-5].map((far) => ({ rule, far, rows: farCheck(tp, cohort, rule, far, 7) })),
  );
  const fixedRule: TailRule = { kind: 'fixed', value: DEFAULT_THRESHOLD };
  const fixedCheck = farCheck(tp, cohort, fixedRule, 1e-4, 7);
  const losoChecks = [1e-3, 1e-4].map((far) => ({
    far,
    rows: loso.map(({ set, fit }) => {
      const rule: TailRule = Number.isFinite(fit.dof)
        ? { kind: 'studentT', dof: fit.dof }
        : { kind: 'normal' };
      const row = farCheck(
        tp.filter((p) => p.set === set),
        cohort,
        rule,
        far,
        7,
      ).find((r) => r.group === set)!;
      return { set, rule, row };
    }),
  }));
  const shifts = rules.map((rule) => ({ rule, shift: ownFaceShift(tp, rule, DEFAULT_FAR) }));
  const stability = rules.slice(0, 2).map((rule) => ({
    rule,
    rows: cohortSizeStability(tp, rule, DEFAULT_FAR, [50, 100, 200, 400, 800], 20, 11),
  }));
  const dofs = [
    ...new Set([DEFAULT_TAIL_DOF, 10, 30, ...(Number.isFinite(fitted.dof) ? [fitted.dof] : [])]),
  ].sort((a, b) => a - b);
  const lines = [
    `Library: ${models.length} people (every set at once), cohort ${cohort.length} faces (every face but the references; ` +
      "each person's own searched faces are in it, unlabelled).",
    '',
    "Impostor tail after each person's median/MAD standardisation (z = (score - median) / (1.4826 MAD)): the z",
    "a fraction FAR of impostor scores reach, against the normal model thresholds.ts assumes and Student's t tails",
    '(scaled to the same MAD); "-" where fewer than 5 scores are above.',
    '',
    tailShapeTable(pooled, perSet, dofs),
    '',
    `Best-fitting degrees of freedom (log error of the quantiles at FAR 1e-2…1e-4): all sets ${fitted.dof}; ` +
      `leaving one set out: ${loso.map((l) => `without ${l.set} ${l.fit.dof}`).join(', ')}.`,
    '',
    "Split-half check: each person's threshold from a random half of the library's photos (own faces included),",
    "false matches counted on the other half's impostor faces (raw thresholds, no floor or ceiling):",
    '',
    farCheckTable(checks),
    '',
    `For comparison, the fixed ${DEFAULT_THRESHOLD.toFixed(2)} on the same impostor trials: observed false-match rate per (face, person) ` +
      fixedCheck
        .map((r) => `${r.group} ${(r.observed / r.trials).toExponential(1)} (${r.observed})`)
        .join(', ') +
      '.',
    '',
    "Leaving one set out: degrees of freedom fitted on the other sets, checked on that set's people:",
    '',
    mdTable(
      ['set', 'far', 'tail model', 'trials', 'expected', 'observed', 'observed / expected'],
      losoChecks.flatMap((c) =>
        c.rows.map((r) => [
          r.set,
          c.far.toExponential(0),
          tailRuleLabel(r.rule),
          r.row.trials,
          fixed(r.row.expected, 1),
          r.row.observed,
          r.row.expected ? fixed(r.row.observed / r.row.expected, 1) : '-',
        ]),
      ),
    ),
    '',
    `Own unlabelled faces in the cohort (median ${shifts[0]!.shift.ownFaces.median}, at most ${shifts[0]!.shift.ownFaces.max} per person): ` +
      `threshold with them minus without, at far ${DEFAULT_FAR.toExponential(0)}: ` +
      shifts
        .map(
          (s) =>
            `${tailRuleLabel(s.rule)} mean ${fixed(s.shift.mean, 4)}, max ${fixed(s.shift.max, 4)} (${s.shift.maxPerson})`,
        )
        .join('; '),
    '',
    `Cohort size: thresholds from random sub-cohorts (20 draws per person), at far ${DEFAULT_FAR.toExponential(0)}:`,
    '',
    mdTable(
      [
        'cohort faces',
        ...stability.flatMap((s) => [`${tailRuleLabel(s.rule)} sd (median / p90)`, 'median bias']),
      ],
      stability[0]!.rows.map((row, i) => [
        row.size,
        ...stability.flatMap((s) => [
          `${fixed(s.rows[i]!.medianSd, 4)} / ${fixed(s.rows[i]!.p90Sd, 4)}`,
          fixed(s.rows[i]!.medianBias, 4),
        ]),
      ]),
    ),
  ];
  return {
    lines,
    json: {
      people: models.length,
      cohort: cohort.length,
      fitted,
      loso,
      checks,
      fixedCheck,
      losoChecks,
      shifts,
      stability,
    },
  };
};

/** Recall lost before a stricter rule stops being worth it, on every scenario. */
const RECALL_BUDGET = 0.02;

const recommend = (groups: readonly GroupResult[]): string[] => {
  const lines: string[] = [];
  for (const rule of [
    ruleLabel(FIXED),
    ruleLabel(normalAt(DEFAULT_FAR)),
    ruleLabel(studentAt(DEFAULT_FAR)),
  ]) {
    const base = { rule, policy: EXCLUSIVE_0 };
    const ind = compare(groups, base, { rule, policy: INDEPENDENT });
    const rows = POLICIES.filter((p) => p.policy.exclusive && p.policy.margin > 0).map((p) => ({
      margin: p.policy.margin,
      ...compare(groups, base, { rule, policy: p.label }),
    }));
    const correct = groups.flatMap((g) => g.counts.get(rule)?.get(EXCLUSIVE_0)?.correctMargins ?? []);
    const smallest = correct.reduce((m, x) => Math.min(m, x), Number.POSITIVE_INFINITY);
    const free = rows.filter((r) => r.margin <= smallest).map((r) => r.margin);
    lines.push(
      `- ${rule}: summed false matches /1k faces over the scenarios: independent ${fixed(ind.falseMatchSum, 1)}, ` +
        `exclusive m 0 ${fixed(ind.baseFalseMatchSum, 1)} (recall lost by the assignment at most ${fixed(Math.max(0, -ind.maxRecallLoss), 3)}); ` +
        rows
          .map(
            (r) =>
              `m ${r.margin.toFixed(2)} ${fixed(r.falseMatchSum, 1)} (recall lost ≤ ${fixed(Math.max(0, r.maxRecallLoss), 3)})`,
          )
          .join(', ') +
        `. Smallest margin of a correct assignment in any scenario: ${fixed(smallest)}, so margins up to ` +
        `${free.length ? free.at(-1)!.toFixed(2) : 'none'} cost no correct face here.`,
    );
  }
  for (const kind of ['normal', 'studentT'] as const) {
    const rows = FARS.map((far) => {
      const rule = ruleLabel(kind === 'normal' ? normalAt(far) : studentAt(far));
      return {
        far,
        ...compare(
          groups,
          { rule: ruleLabel(FIXED), policy: DEFAULT_LABEL },
          { rule, policy: DEFAULT_LABEL },
        ),
      };
    });
    const within = rows.filter((r) => r.maxRecallLoss <= RECALL_BUDGET);
    const strictest = within.reduce<(typeof within)[number] | null>(
      (b, r) => (b === null || r.far < b.far ? r : b),
      null,
    );
    lines.push(
      `- ${kind === 'normal' ? 'normal (thresholds.ts)' : `t${DEFAULT_TAIL_DOF}`} cohort thresholds against fixed 0.40 (both ${DEFAULT_LABEL}), summed false matches /1k faces ` +
        `${fixed(rows[0]!.baseFalseMatchSum, 1)} at 0.40: ` +
        rows
          .map(
            (r) =>
              `far ${r.far.toExponential(0)} → ${fixed(r.falseMatchSum, 1)} (recall lost ≤ ${fixed(Math.max(0, r.maxRecallLoss), 3)})`,
          )
          .join(', ') +
        `; strictest far within ${RECALL_BUDGET} recall on every scenario: ${strictest ? strictest.far.toExponential(0) : 'none'}.`,
    );
  }
  return lines;
};

const scalingTable = (rows: readonly ScalingRow[]): string =>
  mdTable(
    [
      'people enrolled',
      'thresholds',
      'assignment',
      'stranger faces',
      'strangers given to somebody',
      'false matches /1k faces',
      'photo P',
      'photo R',
    ],
    rows.map((r) => [
      r.people,
      r.rule,
      r.policy,
      r.summary.strangerFaces,
      `${(100 * (1 - r.summary.strangerUnknownRate)).toFixed(1)}%`,
      fixed(r.summary.falseMatchesPer1k, 1),
      fixed(r.summary.precision),
      fixed(r.summary.recall),
    ]),
  );

const modeReport = (
  label: string,
  groups: GroupResult[],
  tail: TailReport,
  scaling: readonly ScalingRow[],
): string[] => {
  const closed = groups.filter((g) => !g.group.endsWith(' open'));
  const open = groups.filter((g) => g.group.endsWith(' open'));
  const fixedRule = ruleLabel(FIXED);
  const mainRules = [fixedRule, ruleLabel(normalAt(DEFAULT_FAR)), ruleLabel(studentAt(DEFAULT_FAR))];
  const mainPolicies = [INDEPENDENT, EXCLUSIVE_0, DEFAULT_LABEL];
  const chosenRule = ruleLabel(studentAt(DEFAULT_FAR));
  return [
    `### ${label}`,
    '',
    setupTable(groups, fixedRule, INDEPENDENT),
    '',
    'Side by side (photo-level precision/recall of "sort --everyone"; false matches = (face, person) pairs where',
    'the face is not that person, per 1,000 faces searched, count in brackets):',
    '',
    sideBySideTable(groups, mainRules, mainPolicies),
    '',
    `Runner-up margin, cells "photo recall / false matches per 1k faces", thresholds ${fixedRule}:`,
    '',
    sweepTable(
      groups,
      POLICIES.map((p) => ({ label: p.label, rule: fixedRule, policy: p.label })),
      'assignment',
    ),
    '',
    `Margins over the runner-up person, exclusive m 0 (counts of assignments below each margin), ${fixedRule}:`,
    '',
    marginTable(groups, fixedRule, EXCLUSIVE_0, MARGINS),
    '',
    `The same with thresholds ${chosenRule}:`,
    '',
    marginTable(groups, chosenRule, EXCLUSIVE_0, MARGINS),
    '',
    `Runner-up margin sweep with thresholds ${chosenRule}:`,
    '',
    sweepTable(
      groups,
      POLICIES.map((p) => ({ label: p.label, rule: chosenRule, policy: p.label })),
      'assignment',
    ),
    '',
    `Threshold rules (assignment ${DEFAULT_LABEL}), cells "photo recall / false matches per 1k faces":`,
    '',
    sweepTable(
      groups,
      RULES.map((r) => ({ label: ruleLabel(r), rule: ruleLabel(r), policy: DEFAULT_LABEL })),
      'thresholds',
    ),
    '',
    'Per-person thresholds: median [min-max], how many at the floor (and ceiling):',
    '',
    thresholdTable(closed, RULES.filter((r) => r.kind !== 'fixed').map(ruleLabel)),
    '',
    'Scores of searched faces against their own person (what a ceiling would cost):',
    '',
    genuineTable(closed, [0.4, 0.5, 0.55, 0.6, 0.7]),
    '',
    `Open set (every fold's held-out identities are strangers), ${chosenRule}: strangers left unknown and false matches per 1k faces:`,
    '',
    mdTable(
      ['scenario', ...mainPolicies.map((p) => `${p}: unknown / FM per 1k / recall`)],
      open.map((g) => [
        g.group,
        ...mainPolicies.map((p) => {
          const s = summaryOf(g, chosenRule, p);
          return s
            ? `${(100 * s.strangerUnknownRate).toFixed(1)}% / ${fixed(s.falseMatchesPer1k, 1)} / ${fixed(s.recall)}`
            : '-';
        }),
      ]),
    ),
    '',
    ...groups
      .filter((g) => g.group === 'bbt' || g.group === 'five_celebrity')
      .flatMap((g) => [
        `Per person, ${g.group}, ${chosenRule}:`,
        '',
        perPersonTable(g, chosenRule, mainPolicies),
        '',
      ]),
    ...(scaling.length
      ? [
          'The generated album with more and more of its people enrolled (the others are strangers too):',
          '',
          scalingTable(scaling),
          '',
        ]
      : []),
    'Cohort calibration:',
    '',
    ...tail.lines,
    '',
    'What the numbers say about the defaults:',
    '',
    ...recommend(groups),
  ];
};

const groupJson = (g: GroupResult): Record<string, unknown> => ({
  group: g.group,
  scenarios: g.scenarios,
  people: g.people,
  photos: g.photos,
  refused: g.refused,
  droppedReferences: g.droppedReferences,
  results: Object.fromEntries(
    [...g.counts].map(([rule, byPolicy]) => [
      rule,
      Object.fromEntries([...byPolicy].map(([p, c]) => [p, summarize(c)])),
    ]),
  ),
});

const main = async (): Promise<void> => {
  const args = parseCommandLine();
  if (!(await exists(args.datasets))) {
    console.log(`datasets not found at ${args.datasets}: skipping the people benchmark (nothing to measure)`);
    return;
  }
  const t0 = performance.now();
  const log = (msg: string): void => {
    process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${msg}\n`);
  };
  const embedMode = resolveEngineConfig().embed.mode;
  const loaded = await peopleFaces(
    args.datasets,
    args.sets,
    resolve(projectRoot, '.bench-data', 'people'),
    args.glintK,
    embedMode,
    log,
  );
  if (!loaded.present.length || !loaded.modelSetId) {
    console.log(
      `none of the sets (${args.sets.join(', ')}) found under ${args.datasets}: nothing to measure`,
    );
    for (const s of loaded.skipped) console.log(`skipped ${s}`);
    return;
  }
  const sets = PEOPLE_SETS.filter((s) => loaded.present.includes(s));
  const withDescriptor = loaded.faces.filter((f) => f.vectors.descriptor).length;
  const out: string[] = [
    'mespotter people benchmark',
    `  date ${new Date().toISOString()}`,
    `  machine ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, ${os.type()} ${os.release()} ${os.arch()}, node ${process.version}`,
    `  models ${loaded.modelSetId}; datasets ${args.datasets}; embeddings ${loaded.cached.length ? `cached for ${loaded.cached.join(', ')}` : 'computed'}`,
    `  engine default embed mode: ${embedMode}; faces with a descriptor: ${withDescriptor} of ${loaded.faces.length}; FUSION_WEIGHTS ${JSON.stringify(FUSION_WEIGHTS)}`,
    `  defaults under test: DEFAULT_MARGIN ${DEFAULT_MARGIN}, DEFAULT_COHORT_POLICY ${JSON.stringify(DEFAULT_COHORT_POLICY)}, DEFAULT_TAIL_DOF ${DEFAULT_TAIL_DOF}, DEFAULT_THRESHOLD ${DEFAULT_THRESHOLD}`,
    ...loaded.skipped.map((s) => `  skipped ${s}`),
    ...sets.map((s) => `  ${s}: ${(loaded.notes[s] ?? []).join('; ')}`),
    '',
  ];
  const modes: { label: string; faces: BenchFace[] }[] = [
    { label: `embed mode ${embedMode} (engine default)`, faces: loaded.faces },
  ];
  if (args.fast && withDescriptor > 0)
    modes.push({ label: 'embed mode fast (first embedder alone)', faces: withoutDescriptors(loaded.faces) });
  const json: Record<string, unknown> = {
    meta: { embedMode, modelSetId: loaded.modelSetId, FUSION_WEIGHTS },
  };
  const albumOptions: AlbumOptions | null =
    args.album > 0 ? { photos: args.album, strangerEvery: 5, seed: 20261202 } : null;
  const sized =
    args.scale || args.scaleOnly
      ? await smallFaces({
          datasets: args.datasets,
          faces: loaded.faces,
          modelSetId: loaded.modelSetId,
          embedMode,
          cacheDir: resolve(projectRoot, '.bench-data', 'people'),
          log,
        })
      : null;
  if (sized)
    out.splice(
      out.length - 1,
      0,
      `  small faces: ${sized.cached.length ? `cached for ${sized.cached.join(', ')}` : 'computed'}`,
    );
  for (const m of modes) {
    log(`${m.label}…`);
    const scale = sized
      ? decisionsAtScale({
          label: m.label,
          library: withConditions(m.faces, sizedByKey(sized.faces)),
          sized: sizedByKey(sized.faces),
          modelSetId: loaded.modelSetId,
          sets,
          folds: FOLDS,
          album: albumOptions,
          options: args.scaleOptions,
          log,
        })
      : null;
    if (args.scaleOnly) {
      out.push(...scale!.lines, '');
      json[m.label] = { scale: scale!.json };
      continue;
    }
    const groups = runMode({
      library: m.faces,
      sets,
      modelSetId: loaded.modelSetId,
      rules: RULES,
      policies: POLICIES,
      folds: FOLDS,
      album: albumOptions,
      log,
    });
    log('  album with more and more people enrolled…');
    const scaling = albumOptions
      ? albumScaling(
          m.faces,
          generatedAlbum(m.faces, albumOptions),
          loaded.modelSetId,
          [5, 10, 20, 40, 1000],
          [FIXED, normalAt(DEFAULT_FAR), studentAt(DEFAULT_FAR)],
          POLICIES.filter((p) => p.label === INDEPENDENT || p.label === DEFAULT_LABEL),
          5,
        )
      : [];
    log('  cohort calibration check…');
    const tail = tailReport(m.faces, loaded.modelSetId, sets);
    out.push(...modeReport(m.label, groups, tail, scaling), '', ...(scale?.lines ?? []), '');
    json[m.label] = {
      groups: groups.map(groupJson),
      tail: tail.json,
      scaling,
      ...(scale ? { scale: scale.json } : {}),
    };
  }
  out.push(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(out.join('\n'));
  if (args.json) {
    await writeFile(args.json, `${JSON.stringify(json, null, 1)}\n`);
    console.log(`wrote ${args.json}`);
  }
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
