import { describe, expect, it } from 'vitest';
import { crossValidationFolds, validateFoldCount } from '../../../models/evaluation/cross-validation';
import { medianBestEpoch, meanAndSd, repeatSeeds, summarizeMetrics } from '../../../models/evaluation/aggregate';
import { binaryLabelOrder } from '../../../models/evaluation/positive-class';

describe('cross-validation folds', () => {
  // 60 training rows (table indices 100..159): 45 of class 0, 15 of class 1.
  const trainRows = Int32Array.from({ length: 60 }, (_, i) => 100 + i);
  const classes = Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? 1 : 0));

  it('every training row validates exactly once, never trains on its own fold, and each class spreads evenly', () => {
    const folds = crossValidationFolds(trainRows, 5, { seed: 3, classes });
    expect(folds).toHaveLength(5);
    const seen = folds.flatMap((f) => Array.from(f.validation)).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from(trainRows));
    for (const f of folds) {
      expect(f.train.length + f.validation.length).toBe(60);
      expect(Array.from(f.train).some((r) => f.validation.includes(r))).toBe(false);
      expect(Array.from(f.validation).filter((r) => classes[r - 100] === 1)).toHaveLength(3); // 15 / 5
    }
    expect(crossValidationFolds(trainRows, 5, { seed: 3, classes })).toEqual(folds); // seeded
  });

  it('regression folds are plain (unstratified) K-fold', () => {
    const folds = crossValidationFolds(trainRows, 4, { seed: 1 });
    expect(folds.map((f) => f.validation.length)).toEqual([15, 15, 15, 15]);
  });

  it('refuses K the smallest class cannot fill, K < 2 and K above the rows, in plain words', () => {
    const counts = [40, 6];
    expect(() => validateFoldCount(10, { rows: 46, classCounts: counts, labels: ['no', 'yes'] })).toThrow(
      '--cv 10 is more than the 6 rows of the smallest class ("yes") in the training part, so some folds would have none of it to validate on; use --cv 6 or fewer.',
    );
    expect(() => validateFoldCount(1, { rows: 46 })).toThrow('--cv 1: cross-validation needs at least 2 folds (e.g. --cv 5); leave it out to train once.');
    expect(() => validateFoldCount(2.5, { rows: 46 })).toThrow(/--cv 2.5: cross-validation needs at least 2 folds/);
    expect(() => validateFoldCount(50, { rows: 46, option: 'Folds' })).toThrow('Folds 50 is more than the 46 rows of the training part; use Folds 46 or fewer.');
    expect(() => validateFoldCount(2, { rows: 46, classCounts: [45, 1] })).toThrow(/1 row of the smallest class \(class 1\).*add rows of it/);
    expect(validateFoldCount(6, { rows: 46, classCounts: counts })).toBe(6);
    expect(() => crossValidationFolds(trainRows, 16, { seed: 1, classes })).toThrow(/--cv 16 is more than the 15 rows of the smallest class/);
  });
});

describe('mean ± sd over folds and seeds', () => {
  it('uses the sample standard deviation (n − 1)', () => {
    // values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x − 5)² = 32 → sample sd √(32/7)
    const s = meanAndSd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(meanAndSd([3])).toEqual({ mean: 3, std: 0 });
  });

  it('summarizes metric records per key; a metric some runs lack is averaged over those that have it; one run has no sd', () => {
    const s = summarizeMetrics([{ loss: 0.5, accuracy: 0.8, auc: 0.9 }, { loss: 0.7, accuracy: 0.7 }, null, { loss: 0.6, accuracy: 0.9, auc: 0.7 }]);
    expect(s.runs).toBe(3);
    expect(s.mean.loss).toBeCloseTo(0.6, 12);
    expect(s.std.loss).toBeCloseTo(0.1, 12);
    expect(s.mean.auc).toBeCloseTo(0.8, 12);
    expect(s.std.auc).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(s.count).toEqual({ loss: 3, accuracy: 3, auc: 2 });
    const one = summarizeMetrics([{ loss: 0.5 }]);
    expect(one.std).toEqual({});
    expect(one.mean).toEqual({ loss: 0.5 });
  });

  it('the folds\' median best epoch, as a whole epoch', () => {
    expect(medianBestEpoch([12, 3, 8, 40, 9])).toBe(9);
    expect(medianBestEpoch([10, 13])).toBe(12); // 11.5 rounds up
    expect(medianBestEpoch([4, 7, 1, 2])).toBe(3);
    expect(() => medianBestEpoch([])).toThrow(/at least one best epoch/);
  });

  it('seed repeats: the run\'s seed and the next ones; --repeats 0 is refused', () => {
    expect(repeatSeeds(42, 3)).toEqual([42, 43, 44]);
    expect(() => repeatSeeds(42, 0)).toThrow('--repeats must be a whole number of runs ≥ 1 (e.g. --repeats 5), received 0.');
  });
});

describe('positive class', () => {
  it('defaults to the less frequent training class, reordering the labels to [negative, positive]', () => {
    expect(binaryLabelOrder(['no', 'yes'], [80, 20])).toEqual({ labels: ['no', 'yes'], positive: 'yes', swapped: false });
    expect(binaryLabelOrder(['benign', 'malignant'], [30, 70])).toEqual({ labels: ['malignant', 'benign'], positive: 'benign', swapped: true });
    expect(binaryLabelOrder(['a', 'b'], [50, 50]).positive).toBe('b');
  });

  it('takes the user\'s label, and refuses one that is not a class with the classes listed', () => {
    expect(binaryLabelOrder(['no', 'yes'], [80, 20], 'no').labels).toEqual(['yes', 'no']);
    expect(() => binaryLabelOrder(['no', 'yes'], [80, 20], 'Yes', '"churn"')).toThrow('--positive "Yes" is not a class of "churn" (did you mean "yes"?); its classes are: "no", "yes".');
    expect(() => binaryLabelOrder(['a', 'b', 'c'], [1, 1, 1], 'a', '"species"')).toThrow('--positive is for a target with two classes; "species" has 3 (a, b, c).');
  });
});
