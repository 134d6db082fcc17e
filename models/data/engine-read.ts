/**
 * Files into DuckDB tables: delimited text (read_csv), Parquet (read_parquet), JSON and JSON Lines
 * (read_json), and a JavaScript Table (Excel, through read-excel-file) by DuckDB's appender.
 *
 * Delimited text is read with the delimiter and header sniffed from the head (csv.ts), RFC 4180
 * quotes, the missing tokens as `nullstr`, numbers typed DOUBLE (never BIGINT: DuckDB rounds
 * "1.5" into a BIGINT column sniffed from earlier rows), and problems collected in a reject table
 * (`store_rejects`) instead of stopping at the first. What the rejects say:
 *   - rows with too few or too many fields: the ragged-rows error, with DuckDB's line numbers;
 *   - a cell that is not a number in a column sniffed as one: that column is read again as text
 *     (the profile then keeps it numeric with its stray cells, as before);
 *   - bytes that are not UTF-8: the caller transcodes (Windows-1252) and reads again;
 *   - a line over DuckDB's 2 MB limit: read again with a 32 MB limit (file-scan.ts refuses more).
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { TickworkError } from '../../shared/errors.js';
import { checkShape, quoteError, raggedMessage, uniqueHeader } from './csv.js';
import { ident, literal, runLong, shortMessage, uniqueName, type Connection } from './engine.js';
import { findOpenQuote, MAX_LINE_BYTES } from './file-scan.js';
import { cell, type Table } from './table.js';

/** The most problems DuckDB records per read (ragged rows beyond it are counted "at least"). */
const REJECTS_LIMIT = 100_000;

export interface LoadedSource {
  /** The DuckDB table holding every row. */
  table: string;
  columnNames: string[];
  rows: number;
}

export interface ReadControl {
  signal?: AbortSignal;
  onProgress?: (share: number) => void;
}

export class NotUtf8 extends Error {}

/** The spellings of each missing token DuckDB matches exactly: as given, lower, UPPER, Title. */
export function nullStrings(tokens: readonly string[]): string[] {
  const out = new Set<string>(['']);
  for (const raw of tokens) {
    const t = raw.trim();
    for (const v of [t, t.toLowerCase(), t.toUpperCase(), t.charAt(0).toUpperCase() + t.slice(1).toLowerCase()]) out.add(v);
  }
  return [...out];
}

/**
 * The missing tokens DuckDB is given for a file: those of nullStrings(tokens) that `seen` (the
 * fields found in samples of the file, file-scan.ts fieldsSeen) holds, and the empty cell. DuckDB
 * compares every cell with every token it is given: the 17 spellings of the default tokens cost
 * ~25% of the parse's CPU time on the benchmark file (3.3 s against 2.6 s on one thread). A token
 * that occurs only outside the samples makes its number column fail to cast; that column is then
 * read again as text, where the tokens are applied to every cell as before — the same table, later.
 */
export function nullsFor(tokens: readonly string[], seen: ReadonlySet<string> | null): string[] {
  const all = nullStrings(tokens);
  return seen === null ? all : all.filter((t) => t === '' || seen.has(t));
}

const list = (items: readonly string[]) => `[${items.map(literal).join(', ')}]`;

async function count(connection: Connection, table: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${ident(table)}`);
  return Number(reader.getRows()[0][0]);
}

/** Read a delimited UTF-8 file into a new table. Throws NotUtf8 when DuckDB finds other bytes. */
export async function loadDelimited(
  connection: Connection,
  created: string[],
  file: { path: string; name: string; delimiter: string; header: string[] },
  nulls: readonly string[],
  control: ReadControl,
): Promise<LoadedSource> {
  const names = uniqueHeader(file.header);
  const asText = new Set<string>();
  let maxLine = 0;
  // The first read collects no rejects (faster); any problem reads again with them, to name it.
  let collect = false;
  for (let attempt = 0; attempt < 5; attempt++) {
    const table = uniqueName('source');
    const rejects = uniqueName('rejects');
    const scans = uniqueName('scans');
    created.push(scans, rejects, table);
    const types = asText.size > 0 ? `, types = {${[...asText].map((n) => `${literal(n)}: 'VARCHAR'`).join(', ')}}` : '';
    const sql =
      `CREATE TABLE ${ident(table)} AS SELECT * FROM read_csv(${literal(file.path)}, header = true, delim = ${literal(file.delimiter)}, ` +
      `quote = '"', escape = '"', names = ${list(names)}, nullstr = ${list(nulls)}, ` +
      `auto_type_candidates = ['DOUBLE', 'VARCHAR']` +
      (collect ? `, store_rejects = true, rejects_table = ${literal(rejects)}, rejects_scan = ${literal(scans)}, rejects_limit = ${REJECTS_LIMIT}` : '') +
      `${maxLine > 0 ? `, max_line_size = ${maxLine}` : ''}${types})`;
    try {
      await runLong(connection, sql, control);
    } catch (err) {
      const failure = await parseFailure(err, file, collect);
      if (failure === RETRY) {
        collect = true;
        continue;
      }
      throw failure;
    }
    if (!collect) {
      const rows = await count(connection, table);
      checkShape(file.name, names, rows);
      return { table, columnNames: names, rows };
    }
    // A line of only spaces or tabs is a blank line (skipped, as pandas and the stream reader do), not a
    // ragged row; DuckDB records one reject per missing column, so rows are counted by line.
    const problems = (
      await connection.runAndReadAll(
        `SELECT error_type, count(DISTINCT line), min(line), list(column_name) FILTER (WHERE error_type = 'CAST') FROM ${ident(rejects)} ` +
          `WHERE ${NOT_BLANK} GROUP BY error_type`,
      )
    ).getRowsJson() as [string, string, string, (string | null)[] | null][];
    const byType = new Map(problems.map(([type, n, first, columns]) => [type, { n: Number(n), first: Number(first), columns: columns ?? [] }]));
    if (byType.has('INVALID UNICODE') || byType.has('INVALID ENCODING')) throw new NotUtf8();
    const ragged = (byType.get('MISSING COLUMNS')?.n ?? 0) + (byType.get('TOO MANY COLUMNS')?.n ?? 0);
    if (ragged > 0) {
      const examples = (
        await connection.runAndReadAll(
          `SELECT line, max(error_message) FROM ${ident(rejects)} WHERE error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS') ` +
            `AND ${NOT_BLANK} GROUP BY line ORDER BY line LIMIT 5`,
        )
      ).getRowsJson() as [string, string][];
      const shown = examples.map(([line, message]) => `line ${line} has ${/Found: (\d+)/.exec(message)?.[1] ?? '?'}`);
      throw new TickworkError('bad_data', raggedMessage(file.name, names.length, ragged, shown, file.delimiter, ragged >= REJECTS_LIMIT));
    }
    const unquoted = byType.get('UNQUOTED VALUE');
    if (unquoted) throw quoteError(file.name, unquoted.first);
    if (byType.has('LINE SIZE OVER MAXIMUM') && maxLine === 0) {
      maxLine = MAX_LINE_BYTES + 1024;
      continue;
    }
    const cast = byType.get('CAST');
    if (cast) {
      for (const column of cast.columns) if (column) asText.add(column);
      continue;
    }
    if (byType.size > 0) {
      const [type] = [...byType.keys()];
      throw new TickworkError('bad_data', `${file.name} could not be read: ${type.toLowerCase()} near line ${byType.get(type)!.first}.`);
    }
    const rows = await count(connection, table);
    checkShape(file.name, names, rows);
    return { table, columnNames: names, rows };
  }
  throw new TickworkError('bad_data', `${file.name} could not be read: its columns kept changing type between reads.`);
}

/** Rejects of real rows: DuckDB also rejects a line of only spaces and tabs (a CAST and a MISSING COLUMNS per column). */
const NOT_BLANK = `(csv_line IS NULL OR trim(csv_line, ' \t\r\n') <> '')`;

const RETRY = Symbol('read again, collecting rejects');

/** A parse that DuckDB gave up on: an open quote when there is one, else DuckDB's reason (or RETRY with rejects). */
async function parseFailure(err: unknown, file: { path: string; name: string }, collected: boolean): Promise<unknown> {
  // DuckDB's first lines say what went wrong; the rest lists the dialect options it used.
  const message = ((err as Error)?.message ?? '').split('\n').slice(0, 3).join('\n');
  if (/INTERRUPT/i.test(message)) return err;
  if (/Invalid unicode|not utf-8/i.test(message)) return new NotUtf8();
  if (!collected) return RETRY;
  const open = await findOpenQuote(file.path).catch(() => null);
  if (open !== null) return quoteError(file.name, open);
  if (/Maximum line size/i.test(message)) {
    return new TickworkError('bad_data', `${file.name}: a line is longer than ${MAX_LINE_BYTES / 2 ** 20} MB. Check that this is a CSV file with one row per line.`);
  }
  return new TickworkError('bad_data', `${file.name} could not be read as delimited text: ${shortMessage(err)}`);
}

/** Parquet, JSON or JSON Lines into a new table; `onError` may name the problem better than DuckDB. */
export async function loadWithFunction(
  connection: Connection,
  created: string[],
  file: { path: string; name: string; format: 'parquet' | 'json' | 'jsonl' },
  control: ReadControl,
): Promise<LoadedSource> {
  const table = uniqueName('source');
  created.push(table);
  const from =
    file.format === 'parquet'
      ? `read_parquet(${literal(file.path)})`
      : // Every object is looked at for its keys (sample_size = -1), as the columns are their union.
        `read_json(${literal(file.path)}, format = '${file.format === 'jsonl' ? 'newline_delimited' : 'auto'}', records = 'true', sample_size = -1)`;
  await runLong(connection, `CREATE TABLE ${ident(table)} AS SELECT * FROM ${from}`, control);
  const columnNames = (await connection.runAndReadAll(`SELECT column_name FROM (DESCRIBE ${ident(table)})`)).getRowsJson().map((r) => String(r[0]));
  return { table, columnNames, rows: await count(connection, table) };
}

/** A Table built in JavaScript (Excel) into a new table: number columns as DOUBLE, the rest as text. */
export async function loadJsTable(connection: Connection, created: string[], source: Table): Promise<LoadedSource> {
  const table = uniqueName('source');
  created.push(table);
  const clean = source.columns.map((c) => c.kind === 'number' && c.invalid.size === 0);
  const columns = source.columnNames.map((name, c) => `${ident(name)} ${clean[c] ? 'DOUBLE' : 'VARCHAR'}`);
  await connection.run(`CREATE TABLE ${ident(table)} (${columns.join(', ')})`);
  const appender: DuckDBAppender = await connection.createAppender(table);
  try {
    for (let r = 0; r < source.rowCount; r++) {
      source.columns.forEach((column, c) => {
        if (clean[c] && column.kind === 'number') {
          const v = column.values[r];
          if (v === v) appender.appendDouble(v);
          else appender.appendNull();
        } else {
          const text = cell(column, r);
          if (text === null) appender.appendNull();
          else appender.appendVarchar(text);
        }
      });
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return { table, columnNames: source.columnNames, rows: source.rowCount };
}
