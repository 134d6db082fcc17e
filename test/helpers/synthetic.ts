/** A seeded ten-column table whose target depends on two columns only (x3 numeric, c7 categorical), and a linear model of it. */
import { profileTable } from '../../models/data/schema';
import { splitRows } from '../../models/data/split';
import { tableFromRows, type Table } from '../../models/data/table';
import { encodeFeatures, encodeTarget, fitPreprocessing, type PreprocessingSpec } from '../../models/prep/preprocessing';
import { fitLogistic, predictLogistic } from '../../models/evaluation/logistic-regression';
import { fitLinear, predictLinear } from '../../models/evaluation/linear-regression';
import type { PredictFn } from '../../models/evaluation/permutation-importance';
import { createRng, normal } from '../../models/random';

export const LETTERS = ['a', 'b', 'c', 'd'];
const EFFECT: Record<string, number> = { a: -2, b: -0.5, c: 0.7, d: 2 };
const NUMERIC = ['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x8', 'x9'];
const COLUMNS = ['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'c7', 'x8', 'x9'];

/** Ten columns; the target depends only on x3 (numeric) and c7 (categorical): y = [1.5·x3 + effect(c7) + noise > 0]. */
export function synthetic(rows: number, seed: number, task: 'binary' | 'regression' = 'binary') {
  const rng = createRng(seed);
  const data: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const values = Object.fromEntries(NUMERIC.map((c) => [c, normal(rng)]));
    const c7 = LETTERS[Math.floor(rng() * 4)];
    const z = 1.5 * values.x3 + EFFECT[c7];
    const y = task === 'binary' ? (z + 0.5 * normal(rng) > 0 ? 'yes' : 'no') : (10 * z + 100 + normal(rng)).toFixed(4);
    data.push([...COLUMNS.map((c) => (c === 'c7' ? c7 : values[c].toFixed(4))), y]);
  }
  const table = tableFromRows({ name: 'synthetic', source: 'synthetic', delimiter: ',' }, [...COLUMNS, 'y'], data);
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  const split = splitRows(all, { validation: 0.25, test: 0, seed: 1 });
  const spec = fitPreprocessing({ table, profiles: profileTable(table), target: 'y', features: COLUMNS, task, trainRows: split.train });
  return { table, spec, split };
}

export function linearPredictor(spec: PreprocessingSpec, table: Table, trainRows: Int32Array): PredictFn {
  const { x, rows, cols } = encodeFeatures(spec, table, trainRows);
  const y = encodeTarget(spec, table, trainRows);
  if (spec.task === 'regression') {
    const model = fitLinear(x, y, rows, cols);
    return async (m, n) => predictLinear(model, m, n);
  }
  const model = fitLogistic(x, y, rows, cols, 2);
  return async (m, n) => predictLogistic(model, m, n);
}

