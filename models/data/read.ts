/**
 * Reading a dataset file from disk into a Table, with a clear message for every way it can fail.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { TickworkError } from '../../shared/errors.js';
import { parseDelimited } from './csv.js';
import type { Table } from './table.js';

/** Files above this size need the streaming reader (not in this version). */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

const TEXT_EXTENSIONS = new Set(['.csv', '.tsv', '.txt', '.tab', '.dat', '']);

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

export async function readTableFile(path: string): Promise<LoadedFile> {
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
  if (!TEXT_EXTENSIONS.has(ext)) {
    throw new TickworkError(
      'bad_data',
      `${basename(path)}: "${ext}" files are not supported yet. Save the data as CSV (comma- or semicolon-separated, with a header row).`,
    );
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
  const table = parseDelimited(decodeText(bytes), { name: basename(path), source: path });
  return { table, sha256 };
}
