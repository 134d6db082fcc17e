import { describe, expect, it } from 'vitest';
import { profileTable } from '../../models/data/schema';
import { tableFromRows } from '../../models/data/table';
import { rowWarnings, scoringWarnings } from '../../models/prep/drift';
import { fitPreprocessing } from '../../models/prep/preprocessing';

const train = tableFromRows({ name: 'train.csv', source: '', delimiter: ',' }, ['x', 'c', 'y'], Array.from({ length: 50 }, (_, i) => [String(i % 10), ['a', 'b'][i % 2], String(i % 2)]));
const spec = fitPreprocessing({ table: train, profiles: profileTable(train), target: 'y', features: ['x', 'c'], task: 'binary', trainRows: Int32Array.from({ length: 50 }, (_, i) => i) });

describe('scoring warnings', () => {
  it('says nothing for data like the training data', () => {
    expect(scoringWarnings(spec, train)).toEqual([]);
  });

  it('counts extra columns, unseen categories, far-out values and extra missing cells', () => {
    const rows = [
      ['1', 'a', 'keep'],
      ['500', 'purple', 'keep'],
      ['', 'b', 'keep'],
      ['', 'c', 'keep'],
      ['', 'a', 'keep'],
    ];
    const scoring = tableFromRows({ name: 'new.csv', source: '', delimiter: ',' }, ['x', 'c', 'note'], rows);
    const warnings = scoringWarnings(spec, scoring);
    expect(warnings).toEqual([
      '1 column(s) the model does not use are ignored: note.',
      'column "x": 1 value(s) far outside the training range [0, 9] (e.g. 500 at line 3); predictions there are extrapolations.',
      'column "x": 60% missing (3 rows) against 0.0% in training; they are filled as in training.',
      'column "c": 2 row(s) have categories not seen in training ("purple", "c"); they are encoded as no category.',
    ]);
  });
});

describe('per-row warnings', () => {
  it('names the rows with unseen categories or far-out values, and says nothing for the others', () => {
    const scoring = tableFromRows({ name: 'new.csv', source: '', delimiter: ',' }, ['x', 'c'], [
      ['1', 'a'],
      ['500', 'purple'],
      ['', 'b'],
      ['-40', 'b'],
    ]);
    expect(rowWarnings(spec, scoring)).toEqual([
      [],
      ['column "x": 500 is far outside the training range [0, 9]; the prediction is an extrapolation.', 'column "c": "purple" was not seen in training; it is encoded as no category.'],
      [],
      ['column "x": -40 is far outside the training range [0, 9]; the prediction is an extrapolation.'],
    ]);
  });

  it('names rows as the caller says (the scoring service: "row 2" for JSON rows)', () => {
    const scoring = tableFromRows({ name: 'rows', source: '', delimiter: '' }, ['x', 'c'], [['1', 'a'], ['500', 'a']]);
    expect(scoringWarnings(spec, scoring, { rowLabel: (r) => `row ${r + 1}` })[0]).toContain('(e.g. 500 at row 2)');
  });
});
