/**
 * A model's query at prediction time: the SQL that shaped its training table runs again on the
 * rows to score, before the preprocessing, so derived columns are computed the same way.
 *
 * Scoring a file: readTableFile(path, { query: modelQuery(…) }). Rows sent as objects (the API,
 * the what-if form): when they already carry every model input (the query's output columns) they
 * are used as they are; otherwise they are the query's input rows — they go through the CSV reader
 * and the query, which must keep one row per input row (a WHERE clause that drops one is refused).
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import type { RawRow } from '../../shared/contract.js';
import { TickworkError } from '../../shared/errors.js';
import type { RunConfig } from '../../shared/run-config.js';
import { engineTempDir } from './engine.js';
import { readTableFile, type ReadOptions } from './read.js';
import type { Table } from './table.js';

/** The query stored with a model: in its run config, or in preprocessing.json of an export. */
export function modelQuery(preprocessing: object, runConfig: Pick<RunConfig, 'query'> | null | undefined): string | null {
  const fromSpec = (preprocessing as { query?: unknown }).query;
  return runConfig?.query ?? (typeof fromSpec === 'string' && fromSpec.trim() !== '' ? fromSpec : null);
}

/**
 * How to read a file to score with a model: its query, and its target as an empty column when the
 * file has none (a query usually selects the target, which new rows do not have).
 */
export function scoringReadOptions(preprocessing: { target: string }, runConfig: Pick<RunConfig, 'query'> | null | undefined): ReadOptions {
  return { query: modelQuery(preprocessing, runConfig), absentAsNull: [preprocessing.target] };
}

/** Rows to score as a Table over the model's inputs, through the model's query when it has one. */
export async function rowsForModel(
  rows: RawRow[],
  inputs: string[],
  query: string | null,
  toTable: (rows: RawRow[], inputs: string[]) => Table,
  target?: string,
): Promise<Table> {
  if (query === null || rows.every((row) => inputs.every((name) => name in row))) return toTable(rows, inputs);
  const names = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const path = join(await engineTempDir(), `rows-${randomUUID()}.csv`);
  const text = (v: RawRow[string]) => (v === null || v === undefined ? '' : String(v));
  await writeFile(path, Papa.unparse({ fields: names, data: rows.map((row) => names.map((n) => text(row[n]))) }, { newline: '\n' }) + '\n');
  const dropped = (kept: number) =>
    new TickworkError(
      'bad_data',
      `The model's query keeps ${kept} of the ${rows.length} row(s) sent (its WHERE clause drops rows); ` +
        `send rows it keeps, or send the model's inputs (${inputs.join(', ')}) directly.`,
    );
  try {
    const { table } = await readTableFile(path, { query, absentAsNull: target ? [target] : [] }).catch((err) => {
      throw err instanceof TickworkError && /keeps no rows/.test(err.message) ? dropped(0) : err;
    });
    if (table.rowCount !== rows.length) throw dropped(table.rowCount);
    return table;
  } finally {
    await rm(path, { force: true });
  }
}
