/**
 * Reading a dataset file from disk into a Table, with a clear message for every way it can fail.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { TickworkError } from '../../shared/errors.js';
import { describeFormats, formatOfExtension } from '../../shared/formats.js';
import { readDelimitedFile, type ReadProgress } from './csv.js';
import { decodeText } from './encoding.js';
import { MissingTokens, type Table } from './table.js';
import { parseJson, parseJsonLines, readParquet, readXlsx } from './formats.js';

/**
 * JSON, Parquet and Excel files are read whole, up to this size; delimited text streams and has
 * no size limit (rows beyond `maxRows` are sampled).
 */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** Default cap on the rows kept from a delimited file (a uniform random sample beyond it). */
export const DEFAULT_MAX_ROWS = 2_000_000;


export interface LoadedFile {
  table: Table;
  sha256: string;
}

export interface ReadOptions {
  /** Excel: the sheet, by name or 1-based number (default: the first). */
  sheet?: string;
  /** Cells read as missing (case-insensitive); default: empty, NA, N/A, NaN, null, None, ?, -. */
  missingTokens?: readonly string[];
  /** Delimited text: keep at most this many rows, sampling uniformly beyond (default 2,000,000). */
  maxRows?: number;
  /** Seed of that sample. */
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ReadProgress) => void;
}

export type { ReadProgress };

export async function readTableFile(path: string, options: ReadOptions = {}): Promise<LoadedFile> {
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
  const ext = extname(path).toLowerCase();
  const meta = { name: basename(path), source: path };
  const format = formatOfExtension(ext);
  if (info.size > MAX_FILE_BYTES && format?.reading === 'whole') {
    throw new TickworkError(
      'bad_data',
      `${basename(path)} is ${(info.size / 2 ** 20).toFixed(0)} MB; ${ext} files are read whole, up to ${MAX_FILE_BYTES / 2 ** 20} MB. ` +
        `Save it as CSV (read in a stream, any size) or use a sample of the rows.`,
    );
  }
  if (ext === '.xls') {
    throw new TickworkError('bad_data', `${meta.name} is an old-format Excel .xls file. Save it as .xlsx or CSV and open that.`);
  }
  if (!format) {
    throw new TickworkError('bad_data', `${meta.name}: "${ext}" files are not supported. Open ${describeFormats()}.`);
  }
  if (format.id === 'delimited') {
    return readDelimitedFile(path, meta, info.size, {
      missingTokens: options.missingTokens,
      maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
      seed: options.seed,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TickworkError('not_found', `${path} was removed while it was being read. Pick the file again.`);
    throw new TickworkError('io', `Cannot read ${path}: ${(err as Error).message}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const missing = new MissingTokens(options.missingTokens);
  let table: Table;
  if (format.id === 'parquet') table = await readParquet(path, meta, missing);
  else if (format.id === 'excel') table = await readXlsx(path, meta, options.sheet, missing);
  else if (format.id === 'json') table = parseJson(decodeText(bytes), meta, missing);
  else table = parseJsonLines(decodeText(bytes), meta, missing);
  return { table, sha256 };
}
