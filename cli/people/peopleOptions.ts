import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { personNameProblem } from '../../core/match/personName.js';
import { strictNumber } from '../../core/util/strictNumber.js';
import { parseThreshold } from '../engineOptions.js';

export interface PeopleCliOptions {
  person: string[];
  everyone?: boolean;
  /** Read people from DIR/*.gallery.json instead of the library. */
  gallery?: string;
  threshold?: number;
  far?: number;
  margin?: number;
}

/** --person NAME, refused by the name rule as it is parsed: before any folder is made. */
const collectPerson = (value: string, previous: string[]): string[] => {
  const problem = personNameProblem(value);
  if (problem) throw new ConfigError(`--person: ${problem}`);
  return [...previous, value];
};

const parseFar = (v: string): number => {
  const n = strictNumber(v);
  if (n === undefined || !(n > 0 && n < 0.5))
    throw new ConfigError(`--far must be in (0, 0.5), e.g. 1e-4; got "${v}"`);
  return n;
};

const parseMargin = (v: string): number => {
  const n = strictNumber(v);
  if (n === undefined || n < 0 || n > 1) throw new ConfigError(`--margin must be in 0..1, got "${v}"`);
  return n;
};

/** Who to look for and how strictly: the options `sort`, `who` and `tag` share. */
export const addPeopleOptions = (cmd: Command, o: { search: boolean }): Command => {
  if (o.search) {
    cmd
      .option('--person <name>', 'a person to look for (repeat for several)', collectPerson, [])
      .option('--everyone', 'look for everyone enrolled');
  } else {
    cmd.option(
      '--person <name>',
      'only report these people (repeatable; default everyone)',
      collectPerson,
      [],
    );
  }
  return cmd
    .option('--gallery <dir>', 'read people from DIR/<name>.gallery.json files instead of the library')
    .option(
      '--threshold <t>',
      "score needed for a match, for everyone (default: each person's own, calibrated on the library)",
      parseThreshold,
    )
    .option(
      '--far <rate>',
      'false-match rate per face the calibrated thresholds aim at (default 1e-4)',
      parseFar,
    )
    .option(
      '--margin <m>',
      'how much a face must beat its runner-up person by, for any number of people (default 0.05, +0.04 per tenfold of people beyond 100, at most 0.15)',
      parseMargin,
    );
};
