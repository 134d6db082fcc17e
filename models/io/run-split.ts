/**
 * The run's split as data: which rows of the training table went to train, validation and test.
 * A trained model carries it, and every export writes it as `split.json`, so that a run can be
 * reproduced on exactly the same rows elsewhere (the PyTorch recipe reads it).
 *
 * Rows are table row indices (0-based), listed in the order the run used them: the training
 * rows in the order the training loop indexes them before its first shuffle. Lines are file
 * lines as Tickwork counts them — the header is line 1 and each data record one line after it
 * (blank lines not counted) — so a reader of the file finds a row as data record `line − 2`.
 * When the whole file was read, line = row + 2 and `lines` is null; when the table is a seeded
 * sample of a larger file, `lines` names the file line of every row.
 */
import { TickworkError } from '../../shared/errors.js';
import type { Split } from '../data/split.js';
import type { Table } from '../data/table.js';

export interface RunSplit {
  format: 'tickwork-split';
  version: 1;
  /** The data file (or `bundled:<name>`) and the sha256 Tickwork computed when it read it. */
  source: string;
  sha256: string;
  /** The delimiter Tickwork found ("," ";" "\t" "|"; "" for other formats and generated data). */
  delimiter: string;
  /** Rows in the table the indices refer to. */
  tableRows: number;
  /** Data records in the file; more than tableRows when the table is a sample. */
  fileRows: number;
  /** Cells that were read as missing (null: Tickwork's defaults, see models/data/table.ts). */
  missingTokens: string[] | null;
  train: number[];
  validation: number[];
  test: number[];
  /** File line of every row above, part by part; null when line = row + 2 (the whole file was read). */
  lines: { train: number[]; validation: number[]; test: number[] } | null;
}

/** The split of a run on a table, as written to `split.json`. */
export function runSplitOf(
  loaded: { table: Table; sha256: string },
  split: Split,
  missingTokens: readonly string[] | null | undefined = null,
): RunSplit {
  const { table } = loaded;
  const sample = table.sample;
  const linesOf = (rows: Int32Array) => Array.from(rows, (r) => sample!.lines[r]);
  return {
    format: 'tickwork-split',
    version: 1,
    source: table.source,
    sha256: loaded.sha256,
    delimiter: table.delimiter,
    tableRows: table.rowCount,
    fileRows: sample ? sample.totalRows : table.rowCount,
    missingTokens: missingTokens ? [...missingTokens] : null,
    train: Array.from(split.train),
    validation: Array.from(split.validation),
    test: Array.from(split.test),
    lines: sample ? { train: linesOf(split.train), validation: linesOf(split.validation), test: linesOf(split.test) } : null,
  };
}

/** A split.json read back, checked enough that a damaged file is named rather than half-used. */
export function parseRunSplit(value: unknown, label: string): RunSplit {
  const s = value as Partial<RunSplit> | null;
  const rowsOk = (xs: unknown) => Array.isArray(xs) && xs.every((x) => Number.isInteger(x) && x >= 0);
  if (s?.format !== 'tickwork-split' || !rowsOk(s.train) || !rowsOk(s.validation) || !rowsOk(s.test)) {
    throw new TickworkError(
      'bad_data',
      `split.json in ${label} is not a Tickwork split (format "tickwork-split" with train, validation and test row lists). Export the model again.`,
    );
  }
  return s as RunSplit;
}
