import { describe, expect, it } from 'vitest';
import type { Table } from '../../../models/data/table';
import { encodeFeatures, encodeTarget } from '../../../models/prep/preprocessing';
import { featureBlocks, permuteBlock } from '../../../models/evaluation/feature-blocks';
import { permutationImportance, type PredictFn } from '../../../models/evaluation/permutation-importance';
import { loopConfig, predictRows, trainModel } from '../../../models/train/loop';
import { linearPredictor, synthetic } from '../../helpers/synthetic';

describe('feature blocks', () => {
  it('permuting a block of the encoded matrix equals permuting the raw column and encoding again (one-hot moves together)', () => {
    const { table, spec, split } = synthetic(60, 1);
    const rows = split.validation;
    const base = encodeFeatures(spec, table, rows);
    const block = featureBlocks(spec).find((b) => b.column === 'c7')!;
    expect(block.width).toBe(4);
    const order = Int32Array.from({ length: rows.length }, (_, i) => (i * 7 + 3) % rows.length);
    // The raw way: a copy of the table whose c7 cells are moved among the validation rows.
    const c = table.columnNames.indexOf('c7');
    const column = table.columns[c];
    if (column.kind !== 'text') throw new Error('c7 should be text');
    const codes = column.codes.slice();
    rows.forEach((r, i) => (codes[r] = column.codes[rows[order[i]]]));
    const permuted: Table = { ...table, columns: table.columns.map((col, k) => (k === c ? { ...column, codes } : col)) };
    expect(permuteBlock(base.x, base.rows, base.cols, block, order)).toEqual(encodeFeatures(spec, permuted, rows).x);
  });
});

describe('permutation importance', () => {
  it('ranks the two columns the target depends on first (linear baseline as the model), with a spread over repeats', async () => {
    const { table, spec, split } = synthetic(2000, 2);
    const predict = linearPredictor(spec, table, split.train);
    const y = encodeTarget(spec, table, split.validation);
    const result = await permutationImportance({ spec, table, rows: split.validation, y, predict, repeats: 5, seed: 3 });
    expect(result.metric).toBe('loss');
    expect(result.importance).toHaveLength(10);
    expect(result.importance.slice(0, 2).map((c) => c.column).sort()).toEqual(['c7', 'x3']);
    expect(result.importance[1].mean).toBeGreaterThan(0.1);
    // The other eight barely matter: their mean drop is within a few sd of 0 and far below the two.
    for (const c of result.importance.slice(2)) expect(Math.abs(c.mean)).toBeLessThan(0.05 * result.importance[1].mean);
    expect(result.importance[0].std).toBeGreaterThan(0);
    expect(result.importance[0].drops).toHaveLength(5);
    // Same seed, same numbers.
    const again = await permutationImportance({ spec, table, rows: split.validation, y, predict, repeats: 5, seed: 3 });
    expect(again).toEqual(result);
  });

  it('with a trained network as the model (the loop\'s trainModel), and accuracy as the metric', async () => {
    const { table, spec, split } = synthetic(1200, 4);
    const part = (r: Int32Array) => ({ ...encodeFeatures(spec, table, r), y: encodeTarget(spec, table, r) });
    const config = loopConfig({ epochs: 8, batchSize: 32, optimizer: { name: 'adam', lr: 0.01 }, model: { hidden: [16] } });
    const { model } = await trainModel({ config, task: 'binary', classes: 2, targetStats: null, train: part(split.train), validation: null, test: null });
    try {
      const predict: PredictFn = async (x, rows, cols) => predictRows(model, x, rows, cols);
      const result = await permutationImportance({ spec, table, rows: split.validation, y: encodeTarget(spec, table, split.validation), predict, metric: 'accuracy', repeats: 3, seed: 1 });
      expect(result.higherIsBetter).toBe(true);
      expect(result.importance.slice(0, 2).map((c) => c.column).sort()).toEqual(['c7', 'x3']);
    } finally {
      model.dispose();
    }
  });

  it('refuses repeats < 1 and a metric the task does not report, in plain words', async () => {
    const { table, spec, split } = synthetic(100, 5);
    const predict = linearPredictor(spec, table, split.train);
    const y = encodeTarget(spec, table, split.validation);
    await expect(permutationImportance({ spec, table, rows: split.validation, y, predict, repeats: 0 })).rejects.toThrow(/repeats must be a whole number ≥ 1, received 0/);
    await expect(permutationImportance({ spec, table, rows: split.validation, y, predict, metric: 'r2' })).rejects.toThrow(/metric "r2" is not reported for a binary task; choose one of: loss, accuracy/);
  });
});

