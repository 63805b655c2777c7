import { ConfigError } from '../errors.js';

/** Two images (paths relative to the data set root) and whether they show the same person. */
export interface LabelledPair {
  readonly a: string;
  readonly b: string;
  readonly same: boolean;
  /** 1-based cross-validation fold. */
  readonly fold?: number;
}

/** A pair whose fold is always known, as every LFW pair's is. */
export interface FoldedPair extends LabelledPair {
  readonly fold: number;
}

const positiveInt = /^[0-9]+$/;

function parsePositiveInt(token: string): number | undefined {
  if (!positiveInt.test(token)) return undefined;
  const value = Number(token);
  return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

function lfwError(line: number, message: string): ConfigError {
  return new ConfigError(`LFW pairs line ${line}: ${message}`);
}

/** Names become path segments, so refuse anything that could leave the data set root. */
function lfwName(token: string, line: number): string {
  if (token === '.' || token === '..' || /[/\\]/.test(token)) {
    throw lfwError(line, `invalid person name "${token}"`);
  }
  return token;
}

function lfwIndex(token: string, line: number): number {
  const index = parsePositiveInt(token);
  if (index === undefined) throw lfwError(line, `image number must be an integer >= 1 (got "${token}")`);
  return index;
}

/** LFW layout: `Name/Name_0001.jpg`. */
function lfwPath(name: string, index: number): string {
  return `${name}/${name}_${String(index).padStart(4, '0')}.jpg`;
}

/**
 * Parse LFW `pairs.txt`: a header `N` (one fold) or `F N`, then per fold N matched lines
 * `name i j` followed by N mismatched lines `name1 i name2 j`.
 */
export function parseLfwPairs(text: string): FoldedPair[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  // A trailing newline (or several) is normal; blank lines elsewhere are not.
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw lfwError(1, 'file is empty; expected a header "N" or "FOLDS N"');

  const header = lines[0]!.trim().split(/\s+/);
  const headerNumbers = header.map(parsePositiveInt);
  if (header.length > 2 || headerNumbers.some((n) => n === undefined)) {
    throw lfwError(1, `expected a header "N" or "FOLDS N" of integers >= 1 (got "${lines[0]}")`);
  }
  const [folds, perClass] =
    header.length === 2 ? [headerNumbers[0]!, headerNumbers[1]!] : [1, headerNumbers[0]!];

  const expected = folds * perClass * 2;
  const bodyLines = lines.length - 1;
  if (bodyLines < expected) {
    throw lfwError(
      lines.length + 1,
      `file ends early: header declares ${folds} fold(s) of ${perClass} matched + ${perClass} mismatched pairs (${expected} lines), found ${bodyLines}`,
    );
  }
  if (bodyLines > expected) {
    throw lfwError(
      expected + 2,
      `unexpected extra line: header declares ${folds} fold(s) of ${perClass} matched + ${perClass} mismatched pairs (${expected} lines)`,
    );
  }

  const pairs: FoldedPair[] = [];
  for (let k = 0; k < expected; k++) {
    const lineNo = k + 2;
    const fold = Math.floor(k / (2 * perClass)) + 1;
    const same = k % (2 * perClass) < perClass;
    const tokens = lines[lineNo - 1]!.trim().split(/\s+/);
    if (same) {
      if (tokens.length !== 3) throw lfwError(lineNo, `expected a matched pair "name i j" in fold ${fold}`);
      const name = lfwName(tokens[0]!, lineNo);
      const a = lfwPath(name, lfwIndex(tokens[1]!, lineNo));
      const b = lfwPath(name, lfwIndex(tokens[2]!, lineNo));
      pairs.push({ a, b, same, fold });
    } else {
      if (tokens.length !== 4) {
        throw lfwError(lineNo, `expected a mismatched pair "name1 i name2 j" in fold ${fold}`);
      }
      const a = lfwPath(lfwName(tokens[0]!, lineNo), lfwIndex(tokens[1]!, lineNo));
      const b = lfwPath(lfwName(tokens[2]!, lineNo), lfwIndex(tokens[3]!, lineNo));
      pairs.push({ a, b, same, fold });
    }
  }
  return pairs;
}

interface CsvRecord {
  /** Line the record starts on (quoted fields may span lines). */
  readonly line: number;
  readonly fields: readonly string[];
}

function csvError(line: number, message: string): ConfigError {
  return new ConfigError(`CSV pairs line ${line}: ${message}`);
}

/**
 * RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines. Unquoted fields are
 * trimmed; blank lines are skipped.
 */
function parseCsvRecords(text: string): CsvRecord[] {
  const src = text.replace(/^\uFEFF/, '');
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  let line = 1;
  let recordLine = 1;

  const endField = (): void => {
    fields.push(quoted ? field : field.trim());
    field = '';
    quoted = false;
    atFieldStart = true;
  };
  const endRecord = (): void => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
  };

  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (atFieldStart && c === '"') {
      const startLine = line;
      let value = '';
      i++;
      for (;;) {
        if (i >= src.length) throw csvError(startLine, 'unterminated quoted field');
        const ch = src[i]!;
        if (ch === '"') {
          if (src[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === '\n') line++;
        value += ch;
        i++;
      }
      while (i < src.length && (src[i] === ' ' || src[i] === '\t')) i++;
      if (i < src.length && src[i] !== ',' && src[i] !== '\n' && src[i] !== '\r') {
        throw csvError(line, 'unexpected text after a closing quote');
      }
      field = value;
      quoted = true;
      atFieldStart = false;
      continue;
    }
    if (c === ',') {
      endField();
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      endRecord();
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    // Whitespace before an opening quote is allowed: `a, "b"`.
    if (!(atFieldStart && (c === ' ' || c === '\t'))) atFieldStart = false;
    field += c;
    i++;
  }
  endRecord();
  return records;
}

const sameLabels: Readonly<Record<string, boolean>> = {
  '1': true,
  '0': false,
  true: true,
  false: false,
  same: true,
  diff: false,
};

function parseSame(token: string): boolean | undefined {
  return sameLabels[token.trim().toLowerCase()];
}

/**
 * The natural header `a,b,same[,fold]` has a third column that is also a valid label, so recognise
 * it by name; any other first row whose third column is not a label, or whose fourth is not an
 * integer, is a header too.
 */
function isHeader(fields: readonly string[]): boolean {
  const names = fields.map((f) => f.trim().toLowerCase()).join(',');
  if (names === 'a,b,same' || names === 'a,b,same,fold') return true;
  if (parseSame(fields[2] ?? '') === undefined) return true;
  const fold = fields[3];
  return fold !== undefined && parsePositiveInt(fold) === undefined;
}

/**
 * Parse `a,b,same[,fold]` CSV with an optional header row (see `isHeader`);
 * `same` is one of 1/0/true/false/same/diff (any case); `fold` is an integer >= 1.
 */
export function parseCsvPairs(text: string): LabelledPair[] {
  const records = parseCsvRecords(text);
  const first = records[0];
  if (first === undefined) throw csvError(1, 'file has no rows; expected "a,b,same[,fold]"');
  const hasHeader = isHeader(first.fields);
  const rows = hasHeader ? records.slice(1) : records;
  if (rows.length === 0) throw csvError(first.line + 1, 'no pairs after the header');

  // Every row has the header's column count, or the first data row's when there is no header.
  const columns = (hasHeader ? first : rows[0]!).fields.length;
  if (columns !== 3 && columns !== 4) {
    throw csvError(
      hasHeader ? first.line : rows[0]!.line,
      `expected 3 or 4 columns "a,b,same[,fold]" (got ${columns})`,
    );
  }

  return rows.map(({ line, fields }) => {
    if (fields.length !== columns) throw csvError(line, `expected ${columns} columns (got ${fields.length})`);
    const [a, b, sameToken, foldToken] = fields as [string, string, string, string | undefined];
    if (a === '' || b === '') throw csvError(line, 'image path is empty');
    const same = parseSame(sameToken);
    if (same === undefined) {
      throw csvError(line, `same must be one of 1,0,true,false,same,diff (got "${sameToken}")`);
    }
    if (foldToken === undefined) return { a, b, same };
    const fold = parsePositiveInt(foldToken);
    if (fold === undefined) throw csvError(line, `fold must be an integer >= 1 (got "${foldToken}")`);
    return { a, b, same, fold };
  });
}

/** Keep only pairs in the given 1-based folds; asking for a fold the file lacks is an error, not an empty set. */
export function selectFolds<T extends { readonly fold?: number }>(
  pairs: readonly T[],
  folds: readonly number[],
): T[] {
  for (const fold of folds) {
    if (!Number.isInteger(fold) || fold < 1)
      throw new ConfigError(`fold numbers are integers >= 1 (got ${fold})`);
  }
  const present = new Set<number>();
  for (const [i, p] of pairs.entries()) {
    if (p.fold === undefined)
      throw new ConfigError(`pair ${i + 1} has no fold number, so folds cannot be selected`);
    present.add(p.fold);
  }
  const missing = folds.filter((f) => !present.has(f));
  if (missing.length > 0) {
    const available = [...present].sort((x, y) => x - y).join(', ');
    throw new ConfigError(`fold(s) ${missing.join(', ')} not present (available: ${available || 'none'})`);
  }
  const wanted = new Set(folds);
  return pairs.filter((p) => wanted.has(p.fold!));
}
