import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { parseCsvPairs, parseLfwPairs, selectFolds } from '../../core/match/pairs.js';

const lfwTwoFolds = [
  '2\t2',
  'Abel_Pacheco\t1\t4',
  'Akhmed_Zakayev\t1\t3',
  'Abdel_Madi_Shabneh\t1\tDean_Barker\t1',
  'Abdel_Madi_Shabneh\t1\tGiancarlo_Fisichella\t1',
  'Aaron_Peirsol\t1\t2',
  'Aaron_Peirsol\t3\t4',
  'AJ_Cook\t1\tMarsha_Thomason\t1',
  'Aaron_Sorkin\t2\tFrank_Solich\t12',
  '',
].join('\n');

describe('Function: parseLfwPairs', () => {
  it('parses a 2-fold file into matched then mismatched pairs per fold', () => {
    // Prepare
    const text = lfwTwoFolds;

    // Act
    const pairs = parseLfwPairs(text);

    // Assess
    expect(pairs).toEqual([
      {
        a: 'Abel_Pacheco/Abel_Pacheco_0001.jpg',
        b: 'Abel_Pacheco/Abel_Pacheco_0004.jpg',
        same: true,
        fold: 1,
      },
      {
        a: 'Akhmed_Zakayev/Akhmed_Zakayev_0001.jpg',
        b: 'Akhmed_Zakayev/Akhmed_Zakayev_0003.jpg',
        same: true,
        fold: 1,
      },
      {
        a: 'Abdel_Madi_Shabneh/Abdel_Madi_Shabneh_0001.jpg',
        b: 'Dean_Barker/Dean_Barker_0001.jpg',
        same: false,
        fold: 1,
      },
      {
        a: 'Abdel_Madi_Shabneh/Abdel_Madi_Shabneh_0001.jpg',
        b: 'Giancarlo_Fisichella/Giancarlo_Fisichella_0001.jpg',
        same: false,
        fold: 1,
      },
      {
        a: 'Aaron_Peirsol/Aaron_Peirsol_0001.jpg',
        b: 'Aaron_Peirsol/Aaron_Peirsol_0002.jpg',
        same: true,
        fold: 2,
      },
      {
        a: 'Aaron_Peirsol/Aaron_Peirsol_0003.jpg',
        b: 'Aaron_Peirsol/Aaron_Peirsol_0004.jpg',
        same: true,
        fold: 2,
      },
      { a: 'AJ_Cook/AJ_Cook_0001.jpg', b: 'Marsha_Thomason/Marsha_Thomason_0001.jpg', same: false, fold: 2 },
      {
        a: 'Aaron_Sorkin/Aaron_Sorkin_0002.jpg',
        b: 'Frank_Solich/Frank_Solich_0012.jpg',
        same: false,
        fold: 2,
      },
    ]);
  });

  it('treats a single-number header as one fold and accepts CRLF and spaces', () => {
    // Prepare
    const text = '1\r\nAnn 1 2\r\nBob  3   Cy 4\r\n';

    // Act
    const pairs = parseLfwPairs(text);

    // Assess
    expect(pairs).toEqual([
      { a: 'Ann/Ann_0001.jpg', b: 'Ann/Ann_0002.jpg', same: true, fold: 1 },
      { a: 'Bob/Bob_0003.jpg', b: 'Cy/Cy_0004.jpg', same: false, fold: 1 },
    ]);
  });

  it('reports the line of a matched line with the wrong shape', () => {
    // Prepare: line 3 should be "name i j" but is a mismatched line
    const text = lfwTwoFolds.replace('Akhmed_Zakayev\t1\t3', 'Akhmed_Zakayev\t1\tX\t3');

    // Act
    const act = () => parseLfwPairs(text);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/line 3: expected a matched pair/);
  });

  it('reports the line of a mismatched line with the wrong shape', () => {
    // Prepare
    const text = lfwTwoFolds.replace('AJ_Cook\t1\tMarsha_Thomason\t1', 'AJ_Cook\t1\t2');

    // Act
    const act = () => parseLfwPairs(text);

    // Assess
    expect(act).toThrow(/line 8: expected a mismatched pair/);
  });

  it('reports a file shorter than its header declares', () => {
    // Prepare: drop the last pair line (and the trailing newline)
    const text = lfwTwoFolds.split('\n').slice(0, 8).join('\n');

    // Act
    const act = () => parseLfwPairs(text);

    // Assess
    expect(act).toThrow(/line 9: file ends early.*8 lines\), found 7/);
  });

  it('reports the first line beyond what the header declares', () => {
    // Prepare
    const text = `${lfwTwoFolds}Extra 1 2\n`;

    // Act
    const act = () => parseLfwPairs(text);

    // Assess
    expect(act).toThrow(/line 10: unexpected extra line/);
  });

  it.each([
    ['a bad header', 'ten\nA 1 2\nB 1 C 2\n', /line 1: expected a header/],
    ['image number 0', '1\nA 0 2\nB 1 C 2\n', /line 2: image number must be an integer >= 1/],
    ['a name that escapes the root', '1\nA 1 2\n.. 1 C 2\n', /line 3: invalid person name/],
    ['an empty file', '\n\n', /line 1: file is empty/],
  ])('rejects %s', (_label, text, message) => {
    // Prepare (table)

    // Act
    const act = () => parseLfwPairs(text);

    // Assess
    expect(act).toThrow(message);
  });
});

describe('Function: parseCsvPairs', () => {
  it('skips a header and unquotes fields holding commas and doubled quotes', () => {
    // Prepare
    const text = ['a,b,same,fold', '"x, y/1.jpg",b.jpg,1,1', 'a.jpg, "say ""hi"".jpg" ,DIFF,2', ''].join(
      '\n',
    );

    // Act
    const pairs = parseCsvPairs(text);

    // Assess
    expect(pairs).toEqual([
      { a: 'x, y/1.jpg', b: 'b.jpg', same: true, fold: 1 },
      { a: 'a.jpg', b: 'say "hi".jpg', same: false, fold: 2 },
    ]);
  });

  it('reads a file without header or fold column, skipping blank lines', () => {
    // Prepare
    const text = 'a.jpg,b.jpg,true\r\n\r\n c.jpg , d.jpg ,false\r\ne.jpg,f.jpg,same\r\ng.jpg,h.jpg,0';

    // Act
    const pairs = parseCsvPairs(text);

    // Assess
    expect(pairs).toStrictEqual([
      { a: 'a.jpg', b: 'b.jpg', same: true },
      { a: 'c.jpg', b: 'd.jpg', same: false },
      { a: 'e.jpg', b: 'f.jpg', same: true },
      { a: 'g.jpg', b: 'h.jpg', same: false },
    ]);
  });

  it('recognises a header by a non-label third column', () => {
    // Prepare
    const text = 'left,right,label\nx.jpg,y.jpg,1\n';

    // Act
    const pairs = parseCsvPairs(text);

    // Assess
    expect(pairs).toStrictEqual([{ a: 'x.jpg', b: 'y.jpg', same: true }]);
  });

  it.each([
    ['a bad label', 'a,b,same\nx.jpg,y.jpg,1\nx.jpg,y.jpg,maybe\n', /line 3: same must be one of/],
    ['a wrong column count', 'x.jpg,y.jpg,1\nx.jpg,y.jpg,1,2\n', /line 2: expected 3 columns \(got 4\)/],
    ['fold 0', 'a,b,same,fold\nx.jpg,y.jpg,1,0\n', /line 2: fold must be an integer >= 1/],
    ['an empty path', 'x.jpg,,1\n', /line 1: image path is empty/],
    ['an unterminated quote', 'x.jpg,y.jpg,1\n"x.jpg,y.jpg,1\n', /line 2: unterminated quoted field/],
    ['text after a closing quote', '"x.jpg"z,y.jpg,1\n', /line 1: unexpected text after a closing quote/],
    ['a header with no rows', 'a,b,same\n', /line 2: no pairs after the header/],
    ['an empty file', '', /line 1: file has no rows/],
    ['a two-column header', 'a,b\nx.jpg,y.jpg\n', /line 1: expected 3 or 4 columns/],
  ])('rejects %s with its line number', (_label, text, message) => {
    // Prepare (table)

    // Act
    const act = () => parseCsvPairs(text);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(message);
  });

  it('counts lines inside a multi-line quoted field when reporting later errors', () => {
    // Prepare: the first record spans lines 1-2, so the bad row is line 3
    const text = '"odd\nname.jpg",y.jpg,1\nx.jpg,y.jpg,nope\n';

    // Act
    const act = () => parseCsvPairs(text);

    // Assess
    expect(act).toThrow(/line 3: same must be one of/);
  });
});

describe('Function: selectFolds', () => {
  const pairs = parseLfwPairs(lfwTwoFolds);

  it('keeps only the requested 1-based folds', () => {
    // Prepare
    const folds = [2];

    // Act
    const selected = selectFolds(pairs, folds);

    // Assess
    expect(selected).toHaveLength(4);
    expect(selected.every((p) => p.fold === 2)).toBe(true);
    expect(selected[0]!.a).toBe('Aaron_Peirsol/Aaron_Peirsol_0001.jpg');
  });

  it('throws ConfigError for a fold the pairs do not have', () => {
    // Prepare
    const folds = [1, 3];

    // Act
    const act = () => selectFolds(pairs, folds);

    // Assess
    expect(act).toThrow(/fold\(s\) 3 not present \(available: 1, 2\)/);
  });

  it('throws ConfigError when pairs carry no fold numbers', () => {
    // Prepare
    const unfolded = parseCsvPairs('x.jpg,y.jpg,1\n');

    // Act
    const act = () => selectFolds(unfolded, [1]);

    // Assess
    expect(act).toThrow(/pair 1 has no fold number/);
  });
});
