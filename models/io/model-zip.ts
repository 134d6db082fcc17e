/**
 * Reading a model zip without trusting it: the central directory is checked before anything is
 * inflated — how many entries, their total uncompressed size, each one's compression ratio —
 * and only the files an export needs are inflated, each into a buffer of its declared size (a
 * lying header cannot make it grow), the large ones on fflate's worker threads so the event
 * loop stays free.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { unzip, unzipSync, type UnzipFileInfo } from 'fflate';
import { TickworkError } from '../../shared/errors.js';

export interface ZipLimits {
  /** Entries in the zip (an export has about ten). */
  maxEntries: number;
  /** Total uncompressed bytes of the entries inflated. */
  maxTotalBytes: number;
  /** Uncompressed / compressed bytes of one entry larger than `ratioFloor`. */
  maxRatio: number;
  ratioFloor: number;
  /** The zip file itself. */
  maxZipBytes: number;
}

/**
 * An export holds float32 weights (barely compressible) and JSON (5–20×); a deflate bomb reaches
 * ~1,000×. 2 GiB covers the largest model a run may train (see shared/memory-estimate.ts).
 */
export const MODEL_ZIP_LIMITS: ZipLimits = {
  maxEntries: 100,
  maxTotalBytes: 2 * 2 ** 30,
  maxRatio: 200,
  ratioFloor: 2 ** 20,
  maxZipBytes: 2 * 2 ** 30,
};

const mib = (n: number) => `${(n / 2 ** 20).toFixed(n < 2 ** 20 ? 2 : 0)} MiB`;

/** The central directory's entries (names and sizes), nothing inflated. */
export function zipEntries(data: Uint8Array): UnzipFileInfo[] {
  const entries: UnzipFileInfo[] = [];
  unzipSync(data, { filter: (file) => (entries.push(file), false) });
  return entries;
}

/**
 * Check a zip's entries against the limits; `wanted` picks the entries to inflate (by base
 * name). Throws a TickworkError('bad_data') that names what is wrong.
 */
export function checkZipEntries(label: string, entries: UnzipFileInfo[], wanted: (name: string) => boolean, limits = MODEL_ZIP_LIMITS): UnzipFileInfo[] {
  if (entries.length > limits.maxEntries) {
    throw new TickworkError('bad_data', `${label} has ${entries.length.toLocaleString('en-US')} entries; a Tickwork model zip has about ten (at most ${limits.maxEntries} are read). It is not a model export; export the model again.`);
  }
  const picked = entries.filter((e) => !e.name.endsWith('/') && wanted(basename(e.name)));
  const total = picked.reduce((sum, e) => sum + e.originalSize, 0);
  if (total > limits.maxTotalBytes) {
    throw new TickworkError('bad_data', `${label} would inflate to ${mib(total)}, more than the ${mib(limits.maxTotalBytes)} a model may take; it was not unpacked. If it is a real export, unzip it yourself and give the folder.`);
  }
  for (const e of picked) {
    const ratio = e.originalSize / Math.max(1, e.size);
    if (e.originalSize > limits.ratioFloor && ratio > limits.maxRatio) {
      throw new TickworkError(
        'bad_data',
        `${label}: ${e.name} is compressed ${Math.round(ratio).toLocaleString('en-US')}:1 (${mib(e.size)} → ${mib(e.originalSize)}), far beyond what a model's files compress to (at most ${limits.maxRatio}:1); it looks like a zip bomb and was not unpacked.`,
      );
    }
    if (e.compression !== 0 && e.compression !== 8) {
      throw new TickworkError('bad_data', `${label}: ${e.name} uses compression method ${e.compression}; Tickwork reads stored or deflated entries. Export the model again.`);
    }
  }
  return picked;
}

/** Inflate the wanted entries of a model zip (after the checks), keyed by base name. */
export async function readModelZip(path: string, wanted: (name: string) => boolean, limits = MODEL_ZIP_LIMITS): Promise<Map<string, Uint8Array>> {
  const info = await stat(path);
  if (info.size > limits.maxZipBytes) {
    throw new TickworkError('bad_data', `${path} is ${mib(info.size)}, larger than a model zip may be (${mib(limits.maxZipBytes)}). Unzip it and give the folder.`);
  }
  const data = new Uint8Array(await readFile(path));
  let entries: UnzipFileInfo[];
  try {
    entries = zipEntries(data);
  } catch {
    throw new TickworkError('bad_data', `${path} is neither an export folder nor a readable zip of one. Export the model again.`);
  }
  const picked = new Set(checkZipEntries(path, entries, wanted, limits).map((e) => e.name));
  const files = await new Promise<Record<string, Uint8Array>>((resolve, reject) => {
    unzip(data, { filter: (file) => picked.has(file.name) }, (err, result) => (err ? reject(err) : resolve(result)));
  }).catch((err: Error) => {
    throw new TickworkError('bad_data', `${path} cannot be unpacked (${err.message}); the zip is damaged. Export the model again.`);
  });
  const byName = new Map<string, Uint8Array>();
  for (const [name, bytes] of Object.entries(files)) byName.set(basename(name), bytes);
  return byName;
}
