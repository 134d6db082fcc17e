import { describe, expect, it } from 'vitest';
import { profileTable } from '../../models/data/schema';
import { tableFromRows } from '../../models/data/table';
import { scoringWarnings } from '../../models/prep/drift';
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
