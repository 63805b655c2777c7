import {
  type FaceResult,
  PhotoStatus,
  type ResultLine,
  resultLineSchema,
} from '../../core/report/resultLine.js';

/** A face that was (or nearly was) the person, as if they had never been enrolled: unknown, no scores. */
const anonymous = (f: FaceResult): FaceResult => ({
  box: f.box,
  detScore: f.detScore,
  quality: f.quality,
  person: null,
});

/** Whether a line names the person anywhere: found, a face, a copy for them, a teacher check. */
export const mentions = (l: ResultLine, person: string): boolean =>
  l.people.includes(person) ||
  l.faces.some((f) => f.person === person || f.best === person) ||
  (l.copies ?? []).some((c) => c.people.includes(person)) ||
  (l.teacher ?? []).some((t) => t.person === person);

/**
 * A photo's line without the person: not among its people, their face unknown without scores,
 * no copy or teacher entry for them; `matched` becomes `no_match` when nobody else is left. The
 * line stays: it is the photo's outcome, and the others found in it are still there.
 */
export const withoutPerson = (l: ResultLine, person: string): ResultLine => {
  const people = l.people.filter((p) => p !== person);
  const copies = (l.copies ?? [])
    .map((c) => ({ ...c, people: c.people.filter((p) => p !== person) }))
    .filter((c) => c.people.length > 0);
  const teacher = (l.teacher ?? []).filter((t) => t.person !== person);
  const { copies: _copies, teacher: _teacher, ...rest } = l;
  return {
    ...rest,
    status: l.status === PhotoStatus.Matched && people.length === 0 ? PhotoStatus.NoMatch : l.status,
    people,
    faces: l.faces.map((f) => (f.person === person || f.best === person ? anonymous(f) : f)),
    ...(copies.length > 0 ? { copies } : {}),
    ...(teacher.length > 0 ? { teacher } : {}),
  };
};

/** One text line of a lines object, as forget sees it. */
export type ForgetLine =
  | { kind: 'line'; line: ResultLine }
  /** Before one line per photo (ResultLine v1): one line per photo and person, `person` a name. */
  | { kind: 'v1'; person: string; text: string }
  | { kind: 'other'; text: string };

export const readForgetLine = (text: string): ForgetLine => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'other', text };
  }
  const parsed = resultLineSchema.safeParse(raw);
  if (parsed.success) return { kind: 'line', line: parsed.data };
  const person = (raw as { person?: unknown } | null)?.person;
  return typeof person === 'string' ? { kind: 'v1', person, text } : { kind: 'other', text };
};

/**
 * A lines object's text without the person: v2 lines rewritten (withoutPerson), v1 lines that were
 * theirs dropped, anything else kept as it was. `changed` false: nothing about them in it.
 */
export const forgetInLines = (
  text: string,
  person: string,
): { text: string; changed: boolean; empty: boolean } => {
  let changed = false;
  const out: string[] = [];
  for (const t of text.split('\n')) {
    if (t.trim() === '') continue;
    const l = readForgetLine(t);
    if (l.kind === 'line' && mentions(l.line, person)) {
      changed = true;
      out.push(JSON.stringify(withoutPerson(l.line, person)));
    } else if (l.kind === 'v1' && l.person === person) {
      changed = true;
    } else {
      out.push(l.kind === 'line' ? t : l.text);
    }
  }
  return { text: out.length > 0 ? `${out.join('\n')}\n` : '', changed, empty: out.length === 0 };
};
