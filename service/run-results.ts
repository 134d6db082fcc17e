/**
 * A run's Results view as the page sees it: the worker's results (computed on encoded rows)
 * joined back to the table — each prediction traced to its file line and raw input values.
 */
import type { RunResults } from '../shared/contract.js';
import type { RunConfig } from '../shared/run-config.js';
import { cell, columnIndex, lineOf, type Table } from '../models/data/table.js';
import type { PreprocessingSpec } from '../models/prep/preprocessing.js';
import type { Results } from '../models/train/results.js';

/** Input columns shown beside each prediction. */
const SHOWN_COLUMNS = 8;

/** The Results of one epoch, with the predictions table traced to the file (null rows: not traceable). */
export function runResults(
  table: Table,
  config: RunConfig,
  preprocessing: PreprocessingSpec,
  resultRows: Int32Array | null,
  epoch: number,
  split: RunResults['split'],
  latest: Results,
  model: { final: boolean; restored: boolean } = { final: false, restored: false },
): RunResults {
  const { rows, errors, ...results } = latest;
  const predictions = resultRows ? predictionRows(table, config, preprocessing, resultRows, rows, errors) : null;
  return { epoch, ...model, split, labels: preprocessing.labels, results, predictions };
}

/** The predictions table: each result row traced to its file line and raw input values. */
function predictionRows(
  table: Table,
  config: RunConfig,
  preprocessing: PreprocessingSpec,
  tableRows: Int32Array,
  rows: Results['rows'],
  errors: number,
): NonNullable<RunResults['predictions']> {
  const columns = config.features.slice(0, SHOWN_COLUMNS);
  const shown = columns.map((name) => table.columns[columnIndex(table, name)]);
  const labels = preprocessing.labels;
  const value = (v: number) => (labels ? labels[v] : String(Number(v.toPrecision(6))));
  return {
    columns,
    total: tableRows.length,
    errors,
    rows: rows.map((row) => {
      const r = tableRows[row.index];
      return {
        line: lineOf(table, r),
        values: shown.map((c) => cell(c, r)),
        actual: value(row.actual),
        predicted: value(row.predicted),
        confidence: row.confidence,
        error: row.error,
      };
    }),
  };
}
