/**
 * Reading a dataset file from disk into a Table, with a clear message for every way it can fail.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { TickworkError } from '../../shared/errors.js';
import { parseDelimited } from './csv.js';
import type { Table } from './table.js';
import { parseJson, parseJsonLines, readParquet, readXlsx } from './formats.js';

/** Files above this size need the streaming reader (not in this version). */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

const TEXT_EXTENSIONS = new Set(['.csv', '.tsv', '.txt', '.tab', '.dat', '']);
const SUPPORTED = 'CSV/TSV, JSON, JSON Lines, Parquet or Excel .xlsx';

export interface LoadedFile {
  table: Table;
  sha256: string;
}

export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not valid UTF-8: spreadsheet exports on Windows are often Latin-1 / Windows-1252.
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

export interface ReadOptions {
  /** Excel: the sheet, by name or 1-based number (default: the first). */
  sheet?: string;
}

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
  if (info.size > MAX_FILE_BYTES) {
    throw new TickworkError(
      'bad_data',
      `${basename(path)} is ${(info.size / 2 ** 20).toFixed(0)} MB; this version reads files up to ${MAX_FILE_BYTES / 2 ** 20} MB. ` +
        `Use a sample of the rows.`,
    );
  }
  const ext = extname(path).toLowerCase();
  const meta = { name: basename(path), source: path };
  if (ext === '.xls') {
    throw new TickworkError('bad_data', `${meta.name} is an old-format Excel .xls file. Save it as .xlsx or CSV and open that.`);
  }
  const known = TEXT_EXTENSIONS.has(ext) || ['.json', '.jsonl', '.ndjson', '.parquet', '.xlsx'].includes(ext);
  if (!known) {
    throw new TickworkError('bad_data', `${meta.name}: "${ext}" files are not supported. Open ${SUPPORTED}.`);
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
  const magic = bytes.subarray(0, 4).toString('latin1');
  let table: Table;
  if (ext === '.parquet' || magic === 'PAR1') table = await readParquet(path, meta);
  else if (ext === '.xlsx') table = await readXlsx(path, meta, options.sheet);
  else if (ext === '.json') table = parseJson(decodeText(bytes), meta);
  else if (ext === '.jsonl' || ext === '.ndjson') table = parseJsonLines(decodeText(bytes), meta);
  else table = parseDelimited(decodeText(bytes), meta);
  return { table, sha256 };
}
