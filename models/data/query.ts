/**
 * The query step: an optional SQL query over the opened file, `SELECT … FROM data …`, whose
 * result is the dataset — filter rows, choose and rename columns, derive new ones, join a second
 * file by its path (`JOIN 'other.csv' USING (id)` or `read_csv('other.csv')`).
 *
 * It must be one read-only SELECT. Enforced in four layers:
 *   1. DuckDB's own parser splits the text: exactly one statement, else refused;
 *   2. that statement is prepared (parsed and bound, not run) and its type must be SELECT —
 *      COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET, CREATE, INSERT, EXPORT… are other types;
 *   3. it runs only as the body of `CREATE TEMP TABLE … AS SELECT * FROM (<query>)`, itself
 *      checked to be one statement, so nothing can be appended after a closing parenthesis;
 *   4. the engine locks its configuration and has extension autoloading off (engine.ts), so a
 *      SELECT cannot change settings or fetch code; DuckDB's SELECT has no function that writes
 *      files (`query()` itself accepts only a SELECT).
 * Errors keep DuckDB's words and say where: line and column of the query, and the text there.
 */
import { TickworkError } from '../../shared/errors.js';
import { ident, uniqueName, type Connection } from './engine.js';

/** DuckDB's StatementType for SELECT (duckdb.h: DUCKDB_STATEMENT_TYPE_SELECT). */
const SELECT_STATEMENT = 1;
/** Longest query accepted (the RunConfig and the export carry it). */
export const MAX_QUERY_CHARS = 20_000;

/** The query as stored: trimmed, without a final semicolon; null when empty. */
export function normalizeQuery(query: string | null | undefined): string | null {
  if (query === null || query === undefined) return null;
  const text = query.trim().replace(/;\s*$/, '').trim();
  return text === '' ? null : text;
}

/**
 * DuckDB's error for a query in plain words: its first sentence, then "at line L, column C
 * (near "…")" from the caret DuckDB draws under its echo of the statement.
 */
export function queryErrorMessage(err: unknown, query: string): string {
  const text = (err as Error)?.message ?? String(err);
  const [head] = text.replace(/^Failed to \w+ statements?: /, '').split(/\n\s*\n|\nLINE \d+:/);
  const kind = /^(\w+) Error: /.exec(head)?.[1] ?? '';
  const reason = head.replace(/^\w+ Error: /, '').replace(/\s+/g, ' ').trim();
  const plain =
    kind === 'Parser' ? `it is not valid SQL (${reason})` : kind === 'Binder' || kind === 'Catalog' ? `a name in it is not known: ${reason}` : reason;
  const where = position(text, query);
  return `The query could not run: ${plain}${where ? ` — at ${where}` : ''}. Fix the query (it reads the opened file as "data"), or leave it empty to use the whole file.`;
}

/** "line L, column C (near "…")" from DuckDB's "LINE n: <snippet>\n<spaces>^". */
function position(text: string, query: string): string | null {
  const match = /LINE (\d+): (.*)\n(\s*)\^/.exec(text);
  if (!match) return null;
  const lineNo = Number(match[1]);
  const prefix = `LINE ${match[1]}: `.length;
  let snippet = match[2];
  let shift = 0;
  if (snippet.startsWith('...')) {
    snippet = snippet.slice(3);
    shift = 3;
  }
  snippet = snippet.replace(/\.\.\.$/, '');
  const line = query.split('\n')[lineNo - 1] ?? '';
  const start = Math.max(0, line.indexOf(snippet.slice(0, 40)));
  const column = start + (match[3].length - prefix - shift);
  if (column < 0) return `line ${lineNo}`;
  const near = line.slice(column, column + 20).trim();
  return `line ${lineNo}, column ${column + 1}${near ? ` (near "${near}")` : ''}`;
}

function refuse(message: string): TickworkError {
  return new TickworkError('invalid_input', `The query ${message} Write one SELECT … FROM data …; it may not change anything.`);
}

/** Check `query` is one read-only SELECT over what is bound (`data`); throws with the position when not. */
export async function checkQuery(connection: Connection, query: string): Promise<void> {
  if (query.length > MAX_QUERY_CHARS) throw refuse(`is ${query.length} characters long; at most ${MAX_QUERY_CHARS} are accepted.`);
  let statements;
  try {
    statements = await connection.extractStatements(query);
  } catch (err) {
    throw new TickworkError('invalid_input', queryErrorMessage(err, query));
  }
  if (statements.count !== 1) throw refuse(`holds ${statements.count} statements.`);
  let prepared;
  try {
    prepared = await statements.prepare(0);
  } catch (err) {
    throw new TickworkError('invalid_input', queryErrorMessage(err, query));
  }
  try {
    if (prepared.statementType !== SELECT_STATEMENT) throw refuse('is not a SELECT (only queries that read are allowed).');
    if (prepared.parameterCount > 0) throw refuse('has parameters ($1, ?); write the values into it.');
  } finally {
    prepared.destroySync();
  }
}

/**
 * Run the query over `sourceTable` (seen as `data`) into a new table, after checkQuery. The
 * result must have columns and rows; its row order is the query's (file order unless ORDER BY).
 */
export async function runQuery(
  connection: Connection,
  created: string[],
  sourceTable: string,
  query: string,
  name: string,
  absentAsNull: readonly string[] = [],
): Promise<string> {
  const present = new Set(
    (await connection.runAndReadAll(`SELECT column_name FROM (DESCRIBE ${ident(sourceTable)})`)).getRowsJson().map((r) => String(r[0])),
  );
  const extra = absentAsNull.filter((column) => !present.has(column)).map((column) => `, NULL AS ${ident(column)}`);
  // The name "data", for this connection only, while the query runs.
  await connection.run(`CREATE OR REPLACE TEMP VIEW data AS SELECT *${extra.join('')} FROM ${ident(sourceTable)}`);
  const table = uniqueName('query');
  try {
    await checkQuery(connection, query);
    created.push(table);
    const wrapped = `CREATE TEMP TABLE ${ident(table)} AS SELECT * FROM (\n${query}\n)`;
    const statements = await connection.extractStatements(wrapped);
    if (statements.count !== 1) throw refuse('does not stand on its own (check its parentheses).');
    const prepared = await statements.prepare(0);
    try {
      await prepared.run();
    } catch (err) {
      throw new TickworkError('bad_data', queryErrorMessage(err, query));
    } finally {
      prepared.destroySync();
    }
  } finally {
    await connection.run('DROP VIEW IF EXISTS data');
  }
  const rows = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${ident(table)}`)).getRows()[0][0]);
  const columns = Number((await connection.runAndReadAll(`SELECT count(*) FROM (DESCRIBE ${ident(table)})`)).getRows()[0][0]);
  if (rows === 0) throw new TickworkError('bad_data', `The query keeps no rows of ${name}. Loosen its WHERE clause, or leave the query empty to use the whole file.`);
  if (columns < 2) throw new TickworkError('bad_data', `The query keeps ${columns} column(s); Tickwork needs at least one feature and a target.`);
  return table;
}
