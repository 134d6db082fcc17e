/**
 * Reading a dataset file into a Table, with a clear message for every way it can fail.
 *
 * DuckDB (engine.ts) reads, types and profiles CSV/TSV and other delimited text, Parquet, JSON
 * and JSON Lines; Excel .xlsx is read by read-excel-file and handed to DuckDB as a table. Then:
 *   1. the optional query (query.ts) turns the file into the dataset;
 *   2. every column is typed and profiled over the whole dataset (engine-profile.ts);
 *   3. the rows come into JavaScript as typed-array columns — all of them, or a seeded sample
 *      of `maxRows` (engine-table.ts). Training uses those; the statistics and the data check
 *      describe the whole file (Table.stats).
 *
 * Everything goes in and comes out as plain data (a path, options, a Table of typed arrays), so
 * this runs in a worker thread as it does here; the callbacks (progress, cancel) are the only
 * parts a thread boundary has to carry as messages.
 */
import { stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { TickworkError } from '../../shared/errors.js';
import { describeFormats, formatOfExtension, type DataFormatId } from '../../shared/formats.js';
import { emptyMessage, sniffHead } from './csv.js';
import { engineTempDir, isInterrupt, uniqueName, withConnection, type Connection } from './engine.js';
import { loadDelimited, loadJsTable, loadWithFunction, NotUtf8, nullStrings, nullsFor, type LoadedSource } from './engine-read.js';
import { planColumns, profileColumns } from './engine-profile.js';
import { fetchRows } from './engine-table.js';
import { fieldsSeen, readHead, scanBytes, transcodeToUtf8 } from './file-scan.js';
import { parseJson, parseJsonLines, readXlsx } from './formats.js';
import { decodeText } from './encoding.js';
import { normalizeQuery, runQuery } from './query.js';
import { histogram, profileTable } from './schema.js';
import { LEAKAGE_ROWS } from './doctor.js';
import { DEFAULT_MISSING_TOKENS, MissingTokens, type Table } from './table.js';
import { readFile, rm } from 'node:fs/promises';

/** JSON and Excel files are read whole (to name a bad item or line), up to this size. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** Default cap on the rows held in JavaScript (a seeded uniform sample beyond it). */
export const DEFAULT_MAX_ROWS = 2_000_000;
/** Rows held for the data check when a file is only inspected (its leakage test reads at most as many). */
export const CHECK_ROWS = LEAKAGE_ROWS;

export interface LoadedFile {
  table: Table;
  sha256: string;
}

export interface ReadProgress {
  bytes: number;
  totalBytes: number;
  rows: number;
  /** reading: the file is parsed (bytes say how far); checking: it is read, its statistics and data check are computed. */
  stage: 'reading' | 'checking';
}

export interface ReadOptions {
  /** Excel: the sheet, by name or 1-based number (default: the first). */
  sheet?: string;
  /** Cells read as missing (case-insensitive); default: empty, NA, N/A, NaN, null, None, ?, -. */
  missingTokens?: readonly string[];
  /** Keep at most this many rows in the Table, sampling uniformly beyond (default 2,000,000). */
  maxRows?: number;
  /** Seed of that sample. */
  seed?: number;
  /** SQL over the file, `SELECT … FROM data …`; its result is the dataset (see query.ts). */
  query?: string | null;
  /**
   * 'train' (default): the rows training uses are held (all, or the seeded sample of maxRows).
   * 'inspect' (`tickwork inspect`): nothing will train on it, so only what the data check reads is
   * held — about CHECK_ROWS rows in blocks spread over the file, as many as its leakage test reads — and
   * the statistics are all DuckDB's, without histograms (inspect shows none).
   */
  purpose?: 'train' | 'inspect';
  /** Columns the query may read that the file may lack (the target, when scoring): those missing are empty. */
  absentAsNull?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (progress: ReadProgress) => void;
}

/** TICKWORK_DATA_TRACE=1: the time of each phase on stderr (benchmarks, slow files). */
const trace = process.env.TICKWORK_DATA_TRACE === '1';
let lastMark = 0;
function mark(phase: string): void {
  if (!trace) return;
  const now = performance.now();
  if (lastMark > 0) process.stderr.write(`[data] ${phase}: ${((now - lastMark) / 1000).toFixed(2)} s\n`);
  lastMark = now;
}

function cancelled(name: string): TickworkError {
  return new TickworkError('cancelled', `Reading ${name} was cancelled; nothing was loaded.`);
}

/** Why a path that is not a regular file cannot be read as data. */
export function notRegularMessage(path: string, info: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  const kind = info.isFIFO() ? 'a named pipe (FIFO)' : info.isSocket() ? 'a socket' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'not a regular file';
  return `${path} is ${kind}, not a data file. Tickwork reads only regular files: save the data to a file and open that.`;
}

type Format = DataFormatId;

function formatOf(path: string, name: string): Format {
  const ext = extname(path).toLowerCase();
  if (ext === '.xls') throw new TickworkError('bad_data', `${name} is an old-format Excel .xls file. Save it as .xlsx or CSV and open that.`);
  const format = formatOfExtension(ext);
  if (!format) throw new TickworkError('bad_data', `${name}: "${ext}" files are not supported. Open ${describeFormats()}.`);
  return format.id;
}

export async function readTableFile(path: string, options: ReadOptions = {}): Promise<LoadedFile> {
  // Start loading the engine (a 70 MB native library) while the file is looked at.
  engineTempDir().catch(() => undefined);
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TickworkError('not_found', `File not found: ${path}. Check the path, or pick the file again.`);
    if (code === 'EACCES') throw new TickworkError('io', `Cannot read ${path}: permission denied.`);
    throw new TickworkError('io', `Cannot read ${path}: ${(err as Error).message}`);
  }
  if (info.isDirectory()) throw new TickworkError('bad_data', `${path} is a folder, not a data file. Pick a CSV file inside it.`);
  // A FIFO, socket or device never ends (or blocks the reader forever): refuse it before opening.
  if (!info.isFile()) throw new TickworkError('bad_data', notRegularMessage(path, info));
  const name = basename(path);
  const format = formatOf(path, name);
  if (formatOfExtension(extname(path))?.reading === 'whole' && info.size > MAX_FILE_BYTES) {
    throw new TickworkError(
      'bad_data',
      `${name} is ${(info.size / 2 ** 20).toFixed(0)} MB; ${extname(path)} files are read whole, up to ${MAX_FILE_BYTES / 2 ** 20} MB. ` +
        `Save it as CSV or Parquet (any size) or use a sample of the rows.`,
    );
  }
  const { signal, onProgress } = options;
  if (signal?.aborted) throw cancelled(name);
  const missing = options.missingTokens ?? DEFAULT_MISSING_TOKENS;
  const query = normalizeQuery(options.query);
  try {
    mark('start');
    // A delimited file's head is looked at while the engine starts.
    const text = format === 'delimited' ? await lookAtText(path, name, info.size, missing) : null;
    return await withConnection(async (connection, created) => {
      mark('engine');
      const { source, sha256, delimiter } = await loadSource(connection, created, path, name, format, info.size, { ...options, missingTokens: missing }, text);
      mark('read');
      if (signal?.aborted) throw cancelled(name);
      // Read: what is left (types, statistics, rows into JavaScript, the check) has no bytes to count.
      onProgress?.({ bytes: info.size, totalBytes: info.size, rows: source.rows, stage: 'checking' });
      const dataset = query ? await runQuery(connection, created, source.table, query, name, options.absentAsNull ?? []) : source.table;
      const table = await toTable(connection, created, dataset, { name, source: path, delimiter, query }, missing, options);
      if (signal?.aborted) throw cancelled(name);
      onProgress?.({ bytes: info.size, totalBytes: info.size, rows: table.stats?.rows ?? table.rowCount, stage: 'checking' });
      return { table, sha256 };
    });
  } catch (err) {
    if (signal?.aborted || isInterrupt(err)) throw cancelled(name);
    if (err instanceof TickworkError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TickworkError('not_found', `${path} was removed while it was being read. Pick the file again.`);
    if (code) throw new TickworkError('io', `Cannot read ${path}: ${(err as Error).message}`);
    throw err;
  }
}

/** What a delimited file's head says, and the missing tokens given to DuckDB. */
interface TextLook {
  head: Awaited<ReturnType<typeof readHead>>;
  delimiter: string;
  header: string[];
  nulls: string[];
}

/** The head decides the encoding, delimiter and header; the missing tokens are those the file has. */
async function lookAtText(path: string, name: string, totalBytes: number, missingTokens: readonly string[]): Promise<TextLook> {
  if (totalBytes === 0) throw new TickworkError('bad_data', emptyMessage(name));
  const head = await readHead(path, name);
  if (head.complete && head.text.trim() === '') throw new TickworkError('bad_data', emptyMessage(name));
  const { delimiter, header } = sniffHead(head.text);
  if (header.length === 0) throw new TickworkError('bad_data', emptyMessage(name));
  // Only the missing tokens the file has (DuckDB tries each on every cell); an ASCII-compatible file only.
  const asciiLike = head.encoding === 'utf-8' || head.encoding === 'windows-1252';
  const seen = asciiLike ? await fieldsSeen(path, totalBytes, delimiter, nullStrings(missingTokens)) : null;
  return { head, delimiter, header, nulls: nullsFor(missingTokens, seen) };
}

/** The file into a DuckDB table, hashing its bytes alongside. */
async function loadSource(
  connection: Connection,
  created: string[],
  path: string,
  name: string,
  format: Format,
  totalBytes: number,
  options: ReadOptions & { missingTokens: readonly string[] },
  text: TextLook | null,
): Promise<{ source: LoadedSource; sha256: string; delimiter: string }> {
  const { signal, onProgress } = options;
  if (format === 'excel') {
    const [table, scanned] = await Promise.all([readXlsx(path, { name, source: path }, options.sheet, new MissingTokens(options.missingTokens)), scanBytes(path, name, { signal })]);
    return { source: await loadJsTable(connection, created, table), sha256: scanned.sha256, delimiter: '' };
  }
  if (format !== 'delimited') {
    const scanning = scanBytes(path, name, { signal });
    let source: LoadedSource;
    try {
      source = await loadWithFunction(connection, created, { path, name, format }, { signal });
    } catch (err) {
      await scanning.catch(() => undefined);
      if (isInterrupt(err)) throw err;
      throw await explainFormatError(err, path, name, format, options.missingTokens);
    }
    const { sha256 } = await scanning;
    return { source, sha256, delimiter: '' };
  }

  // Delimited text: the head decided the encoding, delimiter and header; DuckDB parses the rest
  // while the bytes are hashed and their lines measured.
  if (!text) throw new Error('loadSource: a delimited file needs its head looked at first');
  const { head, delimiter, header, nulls } = text;
  const inner = new AbortController();
  const abort = () => inner.abort();
  signal?.addEventListener('abort', abort, { once: true });
  if (signal?.aborted) inner.abort(); // cancelled while the head was looked at or the engine started
  let parsedShare = 0;
  let shown = 0;
  // Progress: the parse's share; the hash's bytes only where the parse reports none (a connection
  // beyond the engine's progress-reporting ones). Never going back.
  const report = (bytes: number) => {
    if (bytes <= shown) return;
    shown = bytes;
    onProgress?.({ bytes, totalBytes, rows: Math.round(bytes * rowsPerByte), stage: 'reading' });
  };
  const rowsPerByte = Math.max(0, head.text.split('\n').length - 2) / Math.max(1, Buffer.byteLength(head.text));
  // The hash runs at its own pace (~0.1 s of one core per 136 MB, far ahead of the parse) beside
  // DuckDB's parse: paced behind the parse's progress, as before, it left a tail of hashing after the
  // parse that nothing overlapped. The hash waits only for the parse to begin (DuckDB then holds the file open, so a file deleted
  // on the first progress event is still read whole), then runs free.
  let parsing = true;
  const scanning = scanBytes(path, name, {
    signal: inner.signal,
    pace: async () => {
      while (parsing && parsedShare === 0 && !inner.signal.aborted) await new Promise((r) => setTimeout(r, 10));
    },
    onBytes: (bytes) => {
      if (parsedShare === 0) report(Math.min(bytes, totalBytes));
    },
  }).catch((err) => {
    inner.abort(); // a line too long: stop the parse too
    throw err;
  });
  scanning.catch(() => undefined);
  const parse = async (file: string) =>
    loadDelimited(connection, created, { path: file, name, delimiter, header }, nulls, {
      signal: inner.signal,
      onProgress: (share) => {
        if (share <= parsedShare) return;
        parsedShare = share;
        report(Math.round(share * totalBytes));
      },
    });
  let source: LoadedSource;
  const copies: string[] = [];
  const fromCopy = async (encoding: Parameters<typeof transcodeToUtf8>[1]) => {
    const copy = join(await engineTempDir(), `${uniqueName('utf8')}.csv`);
    copies.push(copy);
    await transcodeToUtf8(path, encoding, copy, inner.signal);
    return parse(copy);
  };
  try {
    try {
      source = head.encoding !== 'utf-8' ? await fromCopy(head.encoding) : await parse(path);
    } catch (err) {
      if (!(err instanceof NotUtf8)) throw err;
      // Not UTF-8 past the head: Windows-1252 (a superset of Latin-1 for printable text).
      source = await fromCopy('windows-1252');
    }
  } catch (err) {
    parsing = false;
    const scanned = await scanning.then(() => null, (e) => e);
    if (scanned instanceof TickworkError) throw scanned;
    throw err;
  } finally {
    parsing = false;
    signal?.removeEventListener('abort', abort);
    // The UTF-8 copy is in DuckDB's table now (or of no use).
    await Promise.all(copies.map((copy) => rm(copy, { force: true })));
  }
  const { sha256 } = await scanning;
  return { source, sha256, delimiter };
}

/** JSON: the JavaScript parser names the bad item or line; else DuckDB's reason. */
async function explainFormatError(err: unknown, path: string, name: string, format: Format, missing: readonly string[]): Promise<unknown> {
  const reason = (err as Error)?.message?.split('\n')[0]?.replace(/^\w+ Error: /, '') ?? String(err);
  if (format === 'parquet') return new TickworkError('bad_data', `${name} could not be read as Parquet: ${reason}.`);
  const meta = { name, source: path };
  try {
    const text = decodeText(await readFile(path));
    if (format === 'json') parseJson(text, meta, new MissingTokens(missing));
    else parseJsonLines(text, meta, new MissingTokens(missing));
  } catch (named) {
    if (named instanceof TickworkError) return named;
  }
  return new TickworkError('bad_data', `${name} could not be read as ${format === 'json' ? 'JSON' : 'JSON Lines'}: ${reason}.`);
}

/** Whether a column holds a finite number that is not whole. */
function hasFraction(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v && Number.isFinite(v) && Math.floor(v) !== v) return true;
  }
  return false;
}

/** Type, profile and fetch the dataset table into a Table. */
async function toTable(
  connection: Connection,
  created: string[],
  dataset: string,
  meta: { name: string; source: string; delimiter: string; query: string | null },
  missing: readonly string[],
  options: ReadOptions,
): Promise<Table> {
  if (meta.query) mark('query');
  const inspect = options.purpose === 'inspect';
  // Inspecting: number columns' infinities are looked for in their min and max (one scan fewer).
  let { plans, rows } = await planColumns(connection, dataset, missing, { infinities: !inspect });
  mark('types');
  if (rows === 0) throw new TickworkError('bad_data', `${meta.name} has no rows. A file with a header row and at least one data row is needed.`);
  if (plans.length < 2) {
    throw new TickworkError('bad_data', `${meta.name} has ${plans.length} field(s) (${plans.map((p) => p.name).join(', ')}); Tickwork needs at least one feature and a target.`);
  }
  const maxRows = inspect ? CHECK_ROWS : (options.maxRows ?? DEFAULT_MAX_ROWS);
  const sampled = rows > maxRows;
  const fetchOptions = { maxRows, seed: options.seed ?? 42, missing: new MissingTokens(missing), pick: inspect ? ('spread' as const) : ('seeded' as const) };
  // Every row held: fetch first, and the number columns' moments come from the held arrays.
  // A sample: the statistics are DuckDB's over every row, then the sample is fetched.
  let fetched;
  let stats;
  if (inspect) {
    // The check's rows first: a column where they hold a fraction is not whole, and its integer test is skipped.
    fetched = await fetchRows(connection, created, dataset, plans, rows, fetchOptions);
    mark('rows for the data check');
    const fractional = fetched.columns.map((c) => c.kind === 'number' && hasFraction(c.values));
    // DuckDB refuses the standard deviation of a column with ±infinity ("out of range").
    const infinite = (err: unknown) => (/out of range/i.test((err as Error)?.message ?? '') ? null : Promise.reject(err));
    const first = await profileColumns(connection, dataset, plans, rows, { histograms: false, fractional }).catch(infinite);
    if (first === null || first.profiles.some((p, c) => plans[c].kind === 'number' && (p.min === -Infinity || p.max === Infinity))) {
      // A number column holds ±infinity, which is a cell that is not a number: planned, profiled and held again with them counted.
      ({ plans } = await planColumns(connection, dataset, missing));
      stats = await profileColumns(connection, dataset, plans, rows, { histograms: false });
      fetched = await fetchRows(connection, created, dataset, plans, rows, fetchOptions);
    } else stats = first;
    mark('statistics');
  } else if (sampled) {
    stats = await profileColumns(connection, dataset, plans, rows, { histograms: true });
    mark('statistics');
    fetched = await fetchRows(connection, created, dataset, plans, rows, fetchOptions);
    mark('rows into JavaScript');
  } else {
    fetched = await fetchRows(connection, created, dataset, plans, rows, fetchOptions);
    mark('rows into JavaScript');
    stats = await profileColumns(connection, dataset, plans, rows, { histograms: false, held: fetched.columns });
    mark('statistics');
  }
  if (!sampled && !inspect) {
    // Every row is held: the histograms of mixed columns come from the held values too.
    stats.profiles.forEach((p, c) => {
      const column = fetched.columns[c];
      if (p.histogram === null && column.kind === 'number' && p.min !== null && p.max !== null && Number.isFinite(p.min)) p.histogram = histogram(column.values, p.min, p.max);
    });
  }
  const table: Table = {
    ...meta,
    columnNames: plans.map((p) => p.name),
    columns: fetched.columns,
    rowCount: fetched.rowCount,
    sample: sampled ? { totalRows: rows, lines: fetched.lines! } : null,
    stats,
  };
  profileTable(table); // stats must line up with the columns
  return table;
}
