/**
 * A DuckDB dataset table into the typed-array columns of a Table (table.ts): every row when the
 * dataset has at most `maxRows`, else a seeded uniform sample of `maxRows` of them, in file order.
 *
 * The sample: the rows with the `maxRows` smallest values of hash(row number, seed) — a uniform
 * random subset, the same for the same file, seed and DuckDB version.
 *
 * Values are copied out of DuckDB's vectors in bulk (their raw bytes, with the validity mask):
 *   number / mixed columns → Float64Array (NaN where missing or not a number), plus the stray
 *     cells of a mixed column by row;
 *   text columns → Int32Array codes into a dictionary in first-seen order (−1 = missing): the
 *     column is cast to an ENUM built from its distinct values, whose codes DuckDB hands over.
 */
import type { DuckDBEnumType } from '@duckdb/node-api';
import { ident, uniqueName, type Connection } from './engine.js';
import type { ColumnPlan } from './engine-profile.js';
import type { Column } from './table.js';

export interface FetchedRows {
  columns: Column[];
  rowCount: number;
  /** Set when a sample was taken: the file line of each kept row. */
  lines: Int32Array | null;
}

const invalidBit = (validity: Uint8Array | null, i: number) => validity !== null && (validity[i >> 3] & (1 << (i & 7))) === 0;

export async function fetchRows(
  connection: Connection,
  created: string[],
  table: string,
  plans: ColumnPlan[],
  total: number,
  options: { maxRows: number; seed: number },
): Promise<FetchedRows> {
  // Loaded here, not at module load, so that starting the app does not load the native engine.
  const { default: duckdb } = await import('@duckdb/node-bindings');
  const { DuckDBTypeId } = await import('@duckdb/node-api');
  const enumWidth = (type: DuckDBEnumType): number => {
    // Bytes per code: DuckDB stores up to 255 values in one byte, up to 65,535 in two.
    if (type.internalTypeId === DuckDBTypeId.UTINYINT) return 1;
    if (type.internalTypeId === DuckDBTypeId.USMALLINT) return 2;
    return 4;
  };
  let source = table;
  const sampled = total > options.maxRows;
  if (sampled) {
    source = uniqueName('sample');
    created.push(source);
    const t = ident(table);
    await connection.run(
      `CREATE TEMP TABLE ${ident(source)} AS SELECT rowid AS tw_row, * FROM ${t} WHERE rowid IN ` +
        `(SELECT rowid FROM ${t} ORDER BY hash(rowid, ${Math.trunc(options.seed)}) LIMIT ${options.maxRows}) ORDER BY rowid`,
    );
  }
  const s = ident(source);
  // One ENUM per text column, its values in first-seen order.
  const enums: (string | null)[] = [];
  for (const plan of plans) {
    if (plan.kind !== 'text') {
      enums.push(null);
      continue;
    }
    const name = uniqueName('enum');
    const [[present]] = (await connection.runAndReadAll(`SELECT count(${plan.text}) FROM ${s}`)).getRows();
    if (Number(present) === 0) {
      enums.push('');
      continue;
    }
    await connection.run(
      `CREATE TYPE ${ident(name)} AS ENUM (SELECT tw_v FROM (SELECT ${plan.text} AS tw_v, min(rowid) AS tw_r FROM ${s} WHERE tw_v IS NOT NULL GROUP BY tw_v) ORDER BY tw_r)`,
    );
    created.push(name);
    enums.push(name);
  }
  const select = plans.map((p, c) => (p.kind === 'text' ? (enums[c] ? `CAST(${p.text} AS ${ident(enums[c]!)})` : 'NULL::INTEGER') : p.value));
  // Streamed chunks need not arrive in table order (DuckDB's parallel scan): each row goes to its rowid.
  select.push('rowid');
  if (sampled) select.push('tw_row');
  const result = await connection.stream(`SELECT ${select.join(', ')} FROM ${s}`);
  const types = result.columnTypes();
  const n = Math.min(total, options.maxRows);
  const values = plans.map((p) => (p.kind === 'text' ? null : new Float64Array(n)));
  const codes = plans.map((p) => (p.kind === 'text' ? new Int32Array(n).fill(-1) : null));
  const dictionaries = plans.map((_, c) => (enums[c] ? [...(types[c] as DuckDBEnumType).values] : []));
  const widths = plans.map((_, c) => (enums[c] ? enumWidth(types[c] as DuckDBEnumType) : 0));
  const lines = sampled ? new Int32Array(n) : null;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const size = chunk.rowCount;
    const raw = chunk.chunk;
    const mask = Math.ceil(size / 64) * 8;
    const rowData = duckdb.vector_get_data(duckdb.data_chunk_get_vector(raw, plans.length), size * 8);
    const rowids = new BigInt64Array(rowData.buffer, rowData.byteOffset, size);
    const start = Number(rowids[0]);
    // In order within the chunk (the usual case): one copy; else row by row.
    const inOrder = Number(rowids[size - 1]) === start + size - 1;
    const at = inOrder ? null : Int32Array.from(rowids, (r) => Number(r));
    for (let c = 0; c < plans.length; c++) {
      const vector = duckdb.data_chunk_get_vector(raw, c);
      const validity = duckdb.vector_get_validity(vector, mask) ?? null;
      const out = values[c];
      if (out) {
        const data = duckdb.vector_get_data(vector, size * 8);
        const items = new Float64Array(data.buffer, data.byteOffset, size);
        if (at === null) out.set(items, start);
        else for (let i = 0; i < size; i++) out[at[i]] = items[i];
        if (validity) for (let i = 0; i < size; i++) if (invalidBit(validity, i)) out[at === null ? start + i : at[i]] = NaN;
        continue;
      }
      const width = widths[c];
      if (width === 0) continue; // every cell missing
      const into = codes[c]!;
      const data = duckdb.vector_get_data(vector, size * width);
      const items =
        width === 1
          ? data
          : width === 2
            ? new Uint16Array(data.buffer, data.byteOffset, size)
            : new Uint32Array(data.buffer, data.byteOffset, size);
      for (let i = 0; i < size; i++) into[at === null ? start + i : at[i]] = invalidBit(validity, i) ? -1 : items[i];
    }
    if (lines) {
      const vector = duckdb.data_chunk_get_vector(raw, plans.length + 1);
      const data = duckdb.vector_get_data(vector, size * 8);
      const source = new BigInt64Array(data.buffer, data.byteOffset, size);
      for (let i = 0; i < size; i++) lines[at === null ? start + i : at[i]] = Number(source[i]) + 2;
    }
  }
  const columns: Column[] = [];
  for (let c = 0; c < plans.length; c++) {
    const plan = plans[c];
    if (plan.kind === 'text') {
      columns.push({ kind: 'text', codes: codes[c]!, dictionary: dictionaries[c] });
      continue;
    }
    const invalid = new Map<number, string>();
    if (plan.kind === 'mixed') {
      const stray = (await connection.runAndReadAll(`SELECT rowid, ${plan.text} FROM ${s} WHERE ${plan.text} IS NOT NULL AND ${plan.value} IS NULL`)).getRowsJson();
      for (const [r, v] of stray) invalid.set(Number(r), String(v));
    }
    columns.push({ kind: 'number', values: values[c]!, invalid });
  }
  return { columns, rowCount: n, lines };
}

