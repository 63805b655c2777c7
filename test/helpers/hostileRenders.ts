import { renderContactSheet } from '../../cli/report/contactSheet.js';
import { renderRunIndex } from '../../cli/report/runIndex.js';
import type { ContactSheet, SheetPhoto } from '../../cli/report/sheetModel.js';
import type { PageContext } from '../../cli/review/pages/layout.js';
import { peoplePage } from '../../cli/review/pages/peoplePage.js';
import { personPage } from '../../cli/review/pages/personPage.js';
import { photoPage } from '../../cli/review/pages/photoPage.js';
import { runPage, runsPage } from '../../cli/review/pages/runsPage.js';
import type { FaceView, RunRow } from '../../cli/review/reviewData.js';
import { renderTeacherReport } from '../../cli/teacher/teacherReportHtml.js';
import type { PersonRecord } from '../../core/library/Library.js';
import { CopyOutcome, type RunSummary } from '../../core/report/resultLine.js';
import type { AgreementStats } from '../../core/teacher/agreement.js';
import type { TeacherBenchmark } from '../../core/teacher/benchmark.js';

/** Text a library, a file name or a summary could hold, with every character HTML gives meaning to. */
export const HOSTILE = `<script>alert("x")</script> O'Brien & co`;
/** HOSTILE as escaped text: the same in element content and in quoted attributes. */
export const HOSTILE_ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; co';

const h = (what: string): string => `${what} ${HOSTILE}`;

const person = (id: number, named = true): PersonRecord => ({
  id,
  name: h(`person ${id}`),
  createdAt: '2024-01-01T00:00:00.000Z',
  threshold: null,
  calibration: null,
  named,
  clusterNo: named ? null : id,
});

const ctx = (path: string): PageContext => ({
  csrf: h('token'),
  base: `/${HOSTILE}/`,
  path: h(path),
  flash: { text: h('flash'), error: true },
  undo: h('undo'),
});

const faceView = (id: number, owner: PersonRecord | null, score: number | null): FaceView => ({
  id,
  photoId: 7,
  box: { x1: 10, y1: 20, x2: 110, y2: 140 },
  quality: 0.8,
  score,
  gray: id % 2 === 0,
  owner: owner ? { id: owner.id, name: owner.name, named: owner.named } : null,
  via: owner ? 'human' : null,
});

const summary: RunSummary = {
  runId: h('run'),
  people: [
    { name: h('zoë'), threshold: 0.5, thresholdSource: h('source'), photos: 1 },
    { name: h('bob'), threshold: 0.6, photos: 0 },
  ],
  modelSetId: h('models'),
  input: h('/photos'),
  output: h('/out'),
  dryRun: true,
  startedAt: h('2024-01-01'),
  finishedAt: h('2024-01-02'),
  seconds: 3,
  photosPerSecond: 1.5,
  total: 4,
  counts: { matched: 1, [h('status')]: 1 },
  copies: { conflict: 1 },
  errorsByCode: { [h('code')]: 1 },
  cacheHits: 0,
  interrupted: true,
  expected: 9,
};

const photo: SheetPhoto = {
  path: h('trip/beach.jpg'),
  thumb: h('thumbs/0.jpg'),
  thumbWidth: 200,
  thumbHeight: 100,
  width: 400,
  height: 200,
  faces: [
    {
      box: { x1: 100, y1: 50, x2: 200, y2: 150 },
      detScore: 0.99,
      quality: 0.7,
      person: h('zoë'),
      score: 0.8,
      margin: 0.2,
      decidedBy: 'human',
      reference: true,
    },
    { box: { x1: 0, y1: 0, x2: 40, y2: 20 }, detScore: 0.9, quality: 0.6, person: h('bob'), score: 0.7 },
    {
      box: { x1: 300, y1: 90, x2: 340, y2: 130 },
      detScore: 0.9,
      quality: 0.6,
      person: null,
      score: 0.45,
      best: h('bob'),
    },
  ],
  copies: [
    { people: [h('zoë')], outcome: CopyOutcome.Conflict, destination: h('/out/zoë'), reason: h('reason') },
  ],
};

const sheet: ContactSheet = {
  summary,
  sections: [
    { person: summary.people[0]!, matches: [photo], nearMisses: [], nearMissesSeen: 0 },
    {
      person: summary.people[1]!,
      matches: [],
      nearMisses: [{ photo, score: 0.45, faces: [2] }],
      nearMissesSeen: 3,
    },
  ],
  lists: {
    noMatch: {
      rows: [{ path: h('a.jpg'), faces: 2, known: [h('known')], nearest: { person: h('near'), score: 0.3 } }],
      total: 5,
    },
    noFace: { rows: [{ path: h('b.jpg') }], total: 1 },
    error: { rows: [{ path: h('c.jpg'), code: h('code'), reason: h('reason') }], total: 1 },
    skipped: { rows: [{ path: h('d.jpg'), reason: h('skip') }], total: 1 },
  },
  nearMissMargin: 0.08,
};

const stats: AgreementStats = {
  threshold: 0.5,
  n: 4,
  tp: 1,
  fp: 1,
  fn: 1,
  tn: 1,
  missed: 0,
} as AgreementStats;

const benchmark = {
  teacher: h('teacher'),
  person: h('person'),
  threshold: 0.5,
  teacherThreshold: 90,
  photos: { sampled: 2, compared: 2, failed: 0, errors: 0, withoutOurFaces: 0 },
  faces: { ours: 2, paired: 2, unpaired: 0, teacherOnly: 0, teacherOnlyMatches: 0 },
  atThreshold: stats,
  photoLevel: stats,
  best: null,
  calls: 2,
  billedCalls: 2,
  failures: 0,
  costUsd: 0.002,
  pricing: { perCallUsd: 0.001, note: h('note') },
  failuresByCode: {},
  disagreements: [
    {
      path: h('a.jpg'),
      faceIndex: 0,
      box: { x1: 0, y1: 0, x2: 50, y2: 50 },
      teacherBox: { x1: 5, y1: 5, x2: 55, y2: 55 },
      score: 0.6,
      similarity: 40,
      ours: 'match',
      teacher: 'no_match',
    },
  ],
} satisfies TeacherBenchmark;

const runRow = (id: number, kind: RunRow['kind']): RunRow => ({
  id,
  key: h('key'),
  command: h('mespotter sort'),
  kind,
  startedAt: h('2024-01-01T00:00:00'),
  finishedAt: h('2024-01-01T00:01:00'),
  summary:
    kind === 'sort'
      ? { total: 3, counts: { matched: 1 }, people: [{ name: h('zoë'), photos: 1 }] }
      : { faces: 4, created: [1], joinedExisting: 2 },
});

/** Every page and report mespotter renders, from values that all hold HOSTILE. */
export const hostileRenders = (): Record<string, string> => {
  const named = person(1);
  const cluster = person(2, false);
  const everyone = [named, cluster, person(3)].map((p) => ({ id: p.id, name: p.name }));
  return {
    peoplePage: peoplePage(ctx('/'), {
      people: [{ person: named, faces: 2, photos: 2, top: [{ id: 1, photoId: 7 }] }],
      clusters: [{ person: cluster, faces: 1, photos: 1, top: [] }],
      unknown: 3,
      faces: 6,
      hints: [{ into: named, from: cluster, similarity: 0.71 }],
    }),
    personPage: personPage(
      ctx('/person/1'),
      {
        person: named,
        threshold: 0.5,
        thresholdSource: h('source'),
        scoring: 'model',
        members: [faceView(1, named, 0.7), faceView(2, named, null)],
        nearMisses: [faceView(3, cluster, 0.45), faceView(4, null, 0.4)],
        hiddenMembers: 1,
      },
      everyone,
    ),
    clusterPage: personPage(
      ctx('/person/2'),
      {
        person: cluster,
        threshold: null,
        thresholdSource: null,
        scoring: 'cluster mean',
        members: [],
        nearMisses: [],
        hiddenMembers: 0,
      },
      everyone,
    ),
    photoPage: photoPage(
      ctx('/photo/7'),
      {
        photoId: 7,
        sha256: 'ab'.repeat(32),
        width: 640,
        height: 480,
        faces: [faceView(1, named, 0.7), faceView(2, null, null)],
      },
      { state: 'present', file: '/photos/x.jpg', shown: h('/photos/x.jpg'), bytes: new Uint8Array() },
      everyone,
    ),
    missingPhotoPage: photoPage(
      ctx('/photo/7'),
      { photoId: 7, sha256: 'cd'.repeat(32), width: 640, height: 480, faces: [] },
      { state: 'missing', shown: h('/photos/gone.jpg'), reason: h('reason') },
      everyone,
    ),
    runsPage: runsPage(ctx('/runs'), [runRow(1, 'sort'), runRow(2, 'cluster')]),
    runPage: runPage(ctx('/runs/1'), {
      run: runRow(1, 'sort'),
      byPerson: [{ person: named, faces: [{ id: 1, photoId: 7, score: 0.7 }] }],
      report: h('/out/report.html'),
    }),
    emptyPeoplePage: peoplePage(ctx('/'), { people: [], clusters: [], unknown: 0, faces: 0, hints: [] }),
    emptyRunsPage: runsPage(ctx('/runs'), []),
    unfinishedRunPage: runPage(ctx('/runs/3'), {
      run: { ...runRow(3, 'other'), summary: null, finishedAt: null },
      byPerson: [],
      report: null,
    }),
    contactSheet: renderContactSheet(sheet),
    emptyContactSheet: renderContactSheet({
      ...sheet,
      summary: {
        ...summary,
        people: [],
        counts: {},
        copies: {},
        errorsByCode: {},
        interrupted: false,
        dryRun: false,
      },
      sections: [],
      lists: {
        noMatch: { rows: [], total: 0 },
        noFace: { rows: [], total: 0 },
        error: { rows: [], total: 0 },
        skipped: { rows: [{ path: h('e.jpg'), code: h('code') }], total: 4 },
      },
    }),
    runIndex: renderRunIndex([{ runId: h('run'), summary }], 'runs'),
    teacherReport: renderTeacherReport(
      benchmark,
      new Map([[h('a.jpg'), { dataUri: 'data:image/jpeg;base64,AAAA', width: 100, height: 100 }]]),
      new Map([[h('a.jpg'), { width: 100, height: 100 }]]),
    ),
    teacherReportCapped: renderTeacherReport(
      { ...benchmark, disagreements: [...benchmark.disagreements, ...benchmark.disagreements] },
      new Map(),
      new Map(),
      1,
    ),
  };
};
