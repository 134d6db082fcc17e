/**
 * Where Tickwork may write an export or a scoring output: never over what it did not write.
 *
 *   checkFolderTarget   a folder for an export: new, empty, or an earlier Tickwork export; other
 *                       entries in it are the user's and refuse the export unless forced
 *   moveIntoFolder      the staged files moved into that folder one by one (each rename atomic);
 *                       the earlier export's own files that the new one lacks are removed, and
 *                       nothing else in the folder is touched
 *   checkFileTarget     a file (zip, ONNX, scored CSV, preprocessing sidecar): new, or an earlier
 *                       Tickwork file of that kind, unless forced
 *   stagingPath         a hidden sibling to write into first, named with this process id, so
 *                       the next export into that folder sweeps what a crashed one left behind
 *
 * A refusal is a TickworkError('exists') that says what is there and how to proceed; the app
 * can ask "Replace?" and repeat the request with `force`.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TickworkError } from '../../shared/errors.js';
import { processAlive as alive } from '../process-alive.js';

/** What the caller says when the target may be replaced regardless (CLI --force, the app's "Replace"). */
export interface WriteOptions {
  force?: boolean;
}

export type FileKind = 'zip' | 'onnx' | 'csv' | 'preprocessing';

const KIND_WORDS: Record<FileKind, string> = {
  zip: 'a Tickwork model zip',
  onnx: 'an ONNX model exported by Tickwork',
  csv: 'a scored file written by Tickwork (its last columns are prediction and probability_…)',
  preprocessing: 'a Tickwork preprocessing.json',
};

const HOW = 'Choose another name, or replace it on purpose (--force on the command line, "Replace" in the app).';

function listed(names: string[]): string {
  const shown = names.slice(0, 5).map((n) => `"${n}"`).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/** A Tickwork export folder's preprocessing.json says so. */
async function isTickworkPreprocessing(path: string): Promise<boolean> {
  const head = await readHead(path, 1 << 20);
  if (!head) return false;
  try {
    return JSON.parse(new TextDecoder().decode(head))?.format === 'tickwork-preprocessing';
  } catch {
    // A large preprocessing.json (many categories) cut at 1 MB: its first key says what it is.
    return /^\s*\{\s*"format"\s*:\s*"tickwork-preprocessing"/.test(new TextDecoder().decode(head.subarray(0, 200)));
  }
}

/** Up to `limit` bytes from the start of a regular file (null when it cannot be read). */
async function readHead(path: string, limit: number): Promise<Uint8Array | null> {
  let handle;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile()) return null;
    const buffer = new Uint8Array(Math.min(limit, info.size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}

/** Files Tickwork writes beside an export in its folder (a race's per-run curves): not the user's, never removed. */
export const COMPANIONS: readonly string[] = ['curves.csv'];

/**
 * Check a folder an export is about to be written into. Returns 'new' (nothing there), 'empty',
 * or 'export' (an earlier Tickwork export, possibly with files of the user's when forced).
 * `own` are the file names this kind of export writes.
 */
export async function checkFolderTarget(dir: string, own: readonly string[], options: WriteOptions = {}): Promise<'new' | 'empty' | 'export'> {
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    if (err.code === 'ENOTDIR') throw new TickworkError('io', `Cannot export to ${dir}: a part of that path is a file, not a folder.`);
    throw new TickworkError('io', `Cannot export to ${dir}: ${err.message}. Choose a folder you can write to.`);
  });
  if (!info) return 'new';
  if (!info.isDirectory()) {
    throw new TickworkError('exists', `Cannot export to ${dir}: it is a file, not a folder. Choose a folder name (a new or empty folder, or an earlier export).`);
  }
  const entries = (await readdir(dir)).filter((name) => !isStagingName(name));
  if (entries.length === 0) return 'empty';
  const ownSet = new Set([...own, ...COMPANIONS]);
  const foreign = entries.filter((name) => !ownSet.has(name));
  const isExport = entries.includes('preprocessing.json') && (await isTickworkPreprocessing(join(dir, 'preprocessing.json')));
  if (options.force) return 'export';
  if (!isExport) {
    throw new TickworkError(
      'exists',
      `${dir} already exists and is not a Tickwork export (it holds ${listed(entries)}). Nothing was written. ` +
        `Choose a new or empty folder, or write the export into it anyway, keeping those files (--force on the command line, "Replace" in the app).`,
    );
  }
  if (foreign.length > 0) {
    throw new TickworkError(
      'exists',
      `${dir} holds an earlier Tickwork export and also files Tickwork did not write: ${listed(foreign)}. Nothing was written. ` +
        `Choose another folder, or replace the export and keep those files as they are (--force on the command line, "Replace" in the app).`,
    );
  }
  return 'export';
}

/**
 * Move the staged files into `dir` (which exists): each one replaces the file of the same name;
 * files of the earlier export (names in `own`) that the new one lacks are removed; every other
 * entry is left as it is. The staging folder is removed.
 */
export async function moveIntoFolder(staging: string, dir: string, own: readonly string[]): Promise<void> {
  const staged = await readdir(staging);
  for (const name of staged) await rename(join(staging, name), join(dir, name));
  const fresh = new Set(staged);
  for (const name of own) {
    if (fresh.has(name)) continue;
    const stale = join(dir, name);
    const info = await stat(stale).catch(() => null);
    if (info?.isFile()) await rm(stale, { force: true });
  }
  await rmdir(staging).catch(() => undefined);
}

/**
 * The entry names of a zip from its central directory, reading only the end of the file (a large
 * file that is not a zip costs two small reads). Null when it is not a zip or its directory is large.
 */
async function zipNames(path: string, size: number): Promise<string[] | null> {
  let handle;
  try {
    handle = await open(path, 'r');
    const tailLength = Math.min(size, 22 + 65535);
    const tail = new Uint8Array(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    const view = new DataView(tail.buffer);
    let end = -1;
    for (let at = tailLength - 22; at >= 0; at--) if (view.getUint32(at, true) === 0x06054b50) { end = at; break; }
    if (end < 0) return null;
    const count = view.getUint16(end + 10, true);
    const cdSize = view.getUint32(end + 12, true);
    const cdOffset = view.getUint32(end + 16, true);
    if (cdSize > 2 ** 20 || cdOffset + cdSize > size) return null;
    const cd = new Uint8Array(cdSize);
    await handle.read(cd, 0, cdSize, cdOffset);
    const cv = new DataView(cd.buffer);
    const names: string[] = [];
    for (let at = 0, i = 0; i < count && at + 46 <= cdSize; i++) {
      if (cv.getUint32(at, true) !== 0x02014b50) return null;
      const nameLength = cv.getUint16(at + 28, true);
      names.push(basename(new TextDecoder().decode(cd.subarray(at + 46, at + 46 + nameLength))));
      at += 46 + nameLength + cv.getUint16(at + 30, true) + cv.getUint16(at + 32, true);
    }
    return names;
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}

/** Is an existing file of this kind one Tickwork wrote? (Regular files only; reads at most what it needs.) */
async function isTickworkFile(path: string, kind: FileKind, size: number): Promise<boolean> {
  switch (kind) {
    case 'zip':
      return (await zipNames(path, size))?.some((n) => n === 'preprocessing.json') === true;
    case 'onnx': {
      // ONNX ModelProto: field 2 (producer_name) is near the start; Tickwork writes "tickwork".
      const head = await readHead(path, 256);
      if (!head) return false;
      const text = new TextDecoder('latin1').decode(head);
      return text.includes('\x12\x08tickwork');
    }
    case 'csv': {
      const head = await readHead(path, 256 * 1024);
      if (!head) return false;
      const firstLine = new TextDecoder().decode(head).split(/\r?\n/, 1)[0];
      const fields = firstLine.split(',').map((f) => f.replace(/^"|"$/g, ''));
      const at = fields.lastIndexOf('prediction');
      return at >= 0 && fields.slice(at + 1).every((f) => f.startsWith('probability_'));
    }
    case 'preprocessing':
      return isTickworkPreprocessing(path);
  }
}

/**
 * Check a file Tickwork is about to write: fine when nothing is there, or it is an earlier
 * Tickwork file of that kind, or when forced. Never a folder, a device, a FIFO or a socket.
 */
export async function checkFileTarget(path: string, kind: FileKind, options: WriteOptions = {}): Promise<void> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    if (err.code === 'ENOTDIR') throw new TickworkError('io', `Cannot write ${path}: a part of that path is a file, not a folder.`);
    throw new TickworkError('io', `Cannot write ${path}: ${err.message}. Choose a location you can write to.`);
  });
  if (!info) return;
  if (info.isDirectory()) throw new TickworkError('exists', `Cannot write ${path}: it is a folder. Give a file name.`);
  if (!info.isFile()) throw new TickworkError('exists', `Cannot write ${path}: it is not a regular file (a device, pipe or socket). Give a file name.`);
  if (options.force) return;
  if (await isTickworkFile(path, kind, info.size)) return;
  throw new TickworkError('exists', `${path} already exists and is not ${KIND_WORDS[kind]}, so it was left as it is. ${HOW}`);
}

const STAGING = /^\.(.+)\.tickwork-(\w+)-(\d+)-[0-9a-f]+$/;

function isStagingName(name: string): boolean {
  return STAGING.test(name);
}

/** A hidden sibling of `target` to stage into: `.NAME.tickwork-TAG-PID-RANDOM`. */
export function stagingPath(target: string, tag: string): string {
  return join(dirname(target), `.${basename(target)}.tickwork-${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Remove staging entries in `parent` left by Tickwork processes that are gone (a crash, a kill). */
export async function sweepStaging(parent: string): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(STAGING.exec(name)?.[3]);
    if (pid > 0 && pid !== process.pid && !alive(pid)) {
      await rm(join(parent, name), { recursive: true, force: true }).catch(() => undefined);
      removed.push(name);
    }
  }
  return removed;
}
