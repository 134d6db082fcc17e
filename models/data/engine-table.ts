/**
 * A DuckDB dataset table into the typed-array columns of a Table (table.ts): every row when the
 * dataset has at most `maxRows`, else a seeded uniform sample of `maxRows` of them, in file order.
 *
 * The sample: Knuth's selection sampling over the row numbers with the seeded generator of
 * models/random.ts — exactly `maxRows` rows, a uniform random subset, the same for the same file
 * and seed on any machine.
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
import { createRng } from '../random.js';
import { parseNumberCell } from './numbers.js';
import type { Column, MissingTokens } from './table.js';

export interface FetchedRows {
  columns: Column[];
  rowCount: number;
  /** Set when a sample was taken: the file line of each kept row. */
  lines: Int32Array | null;
}

/** Rows per block of a spread (DuckDB's vector size: whole vectors are skipped or read). */
const SPREAD_BLOCK = 2048;
/** The period of a spread of about `wanted` rows of `total`: a multiple of the block, at least two blocks. */
function spreadPeriod(total: number, wanted: number): number {
  return SPREAD_BLOCK * Math.max(2, Math.floor(total / wanted));
}
/** Rows a spread holds: SPREAD_BLOCK of every `period`, the last block cut at the end. */
function spreadRows(total: number, period: number): number {
  let rows = 0;
  for (let start = 0; start < total; start += period) rows += Math.min(SPREAD_BLOCK, total - start);
  return rows;
}

const invalidBit = (validity: Uint8Array | null, i: number) => validity !== null && (validity[i >> 3] & (1 << (i & 7))) === 0;

export async function fetchRows(
  connection: Connection,
  created: string[],
  table: string,
  plans: ColumnPlan[],
  total: number,
  options: { maxRows: number; seed: number; missing: MissingTokens; pick?: 'seeded' | 'spread' },
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
  // What the rows are read from, and each row's place in the held arrays (0…n−1).
  let from: string | null = null;
  let pos = 'rowid';
  if (sampled && options.pick === 'spread') {
    // A spread of blocks: SPREAD_BLOCK consecutive rows at every period, from start to end, read
    // straight from the table (DuckDB skips the vectors between blocks; one row in ten instead scans
    // every vector of every column, ~3× slower; a copy into a temporary table cost ~0.2 s more).
    const period = spreadPeriod(total, options.maxRows);
    const place = `(rowid // ${period}) * ${SPREAD_BLOCK} + rowid % ${period}`;
    from = `(SELECT *, ${place} AS tw_pos, rowid AS tw_row FROM ${ident(table)} WHERE rowid % ${period} < ${SPREAD_BLOCK}) AS tw_spread`;
    pos = 'tw_pos';
  } else if (sampled) {
    // Which rows: Knuth's selection sampling (Algorithm S) with the seeded generator — exactly
    // maxRows of the rows, each with the same chance, in file order; then DuckDB keeps those.
    const picks = uniqueName('picks');
    source = uniqueName('sample');
    created.push(picks, source);
    await connection.run(`CREATE TEMP TABLE ${ident(picks)} (tw_pick BIGINT)`);
    const appender = await connection.createAppender(picks);
    try {
      const rng = createRng(options.seed);
      let needed = options.maxRows;
      for (let r = 0; r < total && needed > 0; r++) {
        if (rng() * (total - r) < needed) {
          appender.appendBigInt(BigInt(r));
          appender.endRow();
          needed--;
        }
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const t = ident(table);
    await connection.run(
      `CREATE TEMP TABLE ${ident(source)} AS SELECT rowid AS tw_row, * FROM ${t} WHERE rowid IN (SELECT tw_pick FROM ${ident(picks)}) ORDER BY rowid`,
    );
  }
  const s = from ?? ident(source);
  // One ENUM per text column (and per mixed column with few distinct cells), its values in first-seen order:
  // of the raw cells when the plan has their groups (JavaScript then trims them and applies the missing
  // tokens to the few distinct values), else of the trimmed text.
  const enums: (string | null)[] = [];
  for (const plan of plans) {
    if (plan.kind === 'number' || (plan.kind === 'mixed' && !plan.groups)) {
      enums.push(null);
      continue;
    }
    const name = uniqueName('enum');
    const cellSql = plan.groups ? plan.raw : plan.text;
    const [[present]] = (await connection.runAndReadAll(`SELECT count(${cellSql}) FROM ${s}`)).getRows();
    if (Number(present) === 0) {
      enums.push('');
      continue;
    }
    await connection.run(
      `CREATE TYPE ${ident(name)} AS ENUM (SELECT tw_v FROM (SELECT ${cellSql} AS tw_v, min(${pos}) AS tw_r FROM ${s} WHERE tw_v IS NOT NULL GROUP BY tw_v) ORDER BY tw_r)`,
    );
    created.push(name);
    enums.push(name);
  }
  const select = plans.map((p, c) =>
    enums[c] === null ? p.value : enums[c] === '' ? 'NULL::UTINYINT' : `CAST(${p.groups ? p.raw : p.text} AS ${ident(enums[c]!)})`,
  );
  // Streamed chunks need not arrive in table order (DuckDB's parallel scan): each row goes to its rowid.
  select.push(pos);
  if (sampled) select.push('tw_row');
  const result = await connection.stream(`SELECT ${select.join(', ')} FROM ${s}`);
  const types = result.columnTypes();
  const n = sampled && options.pick === 'spread' ? spreadRows(total, spreadPeriod(total, options.maxRows)) : Math.min(total, options.maxRows);
  const values = plans.map((p) => (p.kind === 'text' ? null : p.groups ? new Float64Array(n).fill(NaN) : new Float64Array(n)));
  const codes = plans.map((p) => (p.kind === 'text' ? new Int32Array(n).fill(-1) : null));
  const enumValues = plans.map((_, c) => (enums[c] ? (types[c] as DuckDBEnumType).values : []));
  const widths = plans.map((_, c) => (enums[c] ? enumWidth(types[c] as DuckDBEnumType) : 0));
  // Raw cells → what the Table holds: a code into the trimmed dictionary (text), or a number / stray cell (mixed).
  const dictionaries: string[][] = [];
  const codeOf: (Int32Array | null)[] = [];
  const numberOf: (Float64Array | null)[] = [];
  const strayOf: ((string | null)[] | null)[] = [];
  plans.forEach((plan, c) => {
    const rawValues = enumValues[c];
    if (!plan.groups || !enums[c]) {
      dictionaries.push([...rawValues]);
      codeOf.push(null);
      numberOf.push(null);
      strayOf.push(null);
      return;
    }
    const dictionary: string[] = [];
    const index = new Map<string, number>();
    const codes = new Int32Array(rawValues.length).fill(-1);
    const numbers = new Float64Array(rawValues.length).fill(NaN);
    const strays: (string | null)[] = new Array(rawValues.length).fill(null);
    rawValues.forEach((raw, k) => {
      const text = raw.trim();
      if (options.missing.has(text)) return;
      if (plan.kind === 'mixed') {
        const n = parseNumberCell(text);
        if (n !== null) numbers[k] = n;
        else strays[k] = text;
        return;
      }
      let code = index.get(text);
      if (code === undefined) {
        code = dictionary.length;
        dictionary.push(text);
        index.set(text, code);
      }
      codes[k] = code;
    });
    dictionaries.push(dictionary);
    codeOf.push(plan.kind === 'text' ? codes : null);
    numberOf.push(plan.kind === 'mixed' ? numbers : null);
    strayOf.push(plan.kind === 'mixed' ? strays : null);
  });
  const invalids = plans.map(() => new Map<number, string>());
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
      if (out && !numberOf[c]) {
        const data = duckdb.vector_get_data(vector, size * 8);
        const items = new Float64Array(data.buffer, data.byteOffset, size);
        if (at === null) out.set(items, start);
        else for (let i = 0; i < size; i++) out[at[i]] = items[i];
        if (validity) for (let i = 0; i < size; i++) if (invalidBit(validity, i)) out[at === null ? start + i : at[i]] = NaN;
        continue;
      }
      const width = widths[c];
      if (width === 0) continue; // every cell missing
      const data = duckdb.vector_get_data(vector, size * width);
      const items =
        width === 1
          ? data
          : width === 2
            ? new Uint16Array(data.buffer, data.byteOffset, size)
            : new Uint32Array(data.buffer, data.byteOffset, size);
      const numbers = numberOf[c];
      if (numbers) {
        // A mixed column: each raw code is a number, a stray cell or missing.
        const strays = strayOf[c]!;
        const invalid = invalids[c];
        for (let i = 0; i < size; i++) {
          if (invalidBit(validity, i)) continue;
          const r = at === null ? start + i : at[i];
          const k = items[i];
          out![r] = numbers[k];
          const bad = strays[k];
          if (bad !== null) invalid.set(r, bad);
        }
        continue;
      }
      const into = codes[c]!;
      const map = codeOf[c];
      for (let i = 0; i < size; i++) {
        const code = invalidBit(validity, i) ? -1 : map ? map[items[i]] : items[i];
        into[at === null ? start + i : at[i]] = code;
      }
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
    const invalid = invalids[c];
    if (plan.kind === 'mixed' && !plan.groups) {
      const stray = (await connection.runAndReadAll(`SELECT ${pos}, ${plan.text} FROM ${s} WHERE ${plan.text} IS NOT NULL AND ${plan.value} IS NULL`)).getRowsJson();
      for (const [r, v] of stray) invalid.set(Number(r), String(v));
    }
    columns.push({ kind: 'number', values: values[c]!, invalid });
  }
  return { columns, rowCount: n, lines };
}

