/**
 * What Tickwork checks in a text file's bytes itself, beside DuckDB's parse:
 *   - the head (first 64 KB): its encoding (UTF-16 by its BOM, else UTF-8 / Windows-1252), binary
 *     content, and the first rows, from which the delimiter and the header are sniffed (csv.ts);
 *   - one pass over every byte, run while DuckDB parses: the file's SHA-256 and the longest line
 *     (a "line" of more than 32 MB is not a row of a table);
 *   - transcoding UTF-16 and Windows-1252 files to UTF-8 (DuckDB reads UTF-8 only without the
 *     encodings extension, which would be downloaded at run time);
 *   - after a failed parse, where a quoted field was left open.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { TickworkError } from '../../shared/errors.js';
import { decoderFor, type Encoding } from './encoding.js';

/** A "line" longer than this is not a row of a table (e.g. a 2 GB single-line file). */
export const MAX_LINE_BYTES = 32 * 2 ** 20;
const HEAD_BYTES = 64 * 1024;
const CHUNK_BYTES = 1 << 20;

export interface FileHead {
  /** utf-8 also stands for "not known to be anything else" (DuckDB checks every byte). */
  encoding: Encoding;
  /** The head as text (BOM dropped); the last line may be cut. */
  text: string;
  /** The whole file is in `text`. */
  complete: boolean;
}

export const binaryMessage = (name: string) =>
  `${name} does not look like a text file (it contains binary bytes). Open a CSV file with a header row.`;
export const lineTooLongMessage = (name: string) =>
  `${name}: a line runs on for more than ${MAX_LINE_BYTES / 2 ** 20} MB without a line break, which is not a table ` +
  `of rows. Check that this is a CSV file with one row per line (or a quote left open early in the file).`;

/** Blocks of HEAD_BYTES spread over a file, besides its head, that fieldsSeen looks at. */
const FIELD_BLOCKS = 16;

/**
 * Which of `candidates` occur as a whole field (unquoted, untrimmed) in the head of an
 * ASCII-compatible delimited file or in FIELD_BLOCKS blocks spread over the rest: ~1 MB read
 * whatever the file's size. Quotes are not followed (a delimiter inside quotes splits a field
 * here), which can only find a candidate where there is none.
 */
export async function fieldsSeen(path: string, size: number, delimiter: string, candidates: readonly string[]): Promise<Set<string>> {
  const wanted = new Set(candidates);
  const seen = new Set<string>();
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const blocks = size <= HEAD_BYTES ? 1 : FIELD_BLOCKS + 1;
    for (let k = 0; k < blocks; k++) {
      const offset = k === 0 ? 0 : Math.floor((k * (size - HEAD_BYTES)) / FIELD_BLOCKS);
      const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, offset);
      const lines = buffer.toString('latin1', 0, bytesRead).split('\n');
      // A block's first and last lines may be cut (the file's own first and last are whole).
      const first = offset === 0 ? 0 : 1;
      const last = offset + bytesRead >= size ? lines.length : lines.length - 1;
      for (let i = first; i < last; i++) {
        const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
        for (const field of line.split(delimiter)) if (wanted.has(field)) seen.add(field);
      }
      if (seen.size === wanted.size) break;
    }
  } finally {
    await handle.close();
  }
  return seen;
}

export async function readHead(path: string, name: string): Promise<FileHead> {
  const handle = await open(path, 'r');
  let bytes: Uint8Array;
  let complete: boolean;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    bytes = buffer.subarray(0, bytesRead);
    complete = bytesRead < HEAD_BYTES;
  } finally {
    await handle.close();
  }
  let { decoder, skip } = decoderFor(bytes);
  let encoding: Encoding = skip > 0 ? (bytes[0] === 0xff ? 'utf-16le' : 'utf-16be') : 'utf-8';
  let text: string;
  try {
    // Not fatal at the end: a multi-byte character may be cut by the head's limit.
    text = decoder.decode(bytes.subarray(skip), { stream: !complete });
  } catch {
    encoding = 'windows-1252';
    ({ decoder, skip } = decoderFor(bytes, encoding));
    text = decoder.decode(bytes);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\u0000')) throw new TickworkError('bad_data', binaryMessage(name));
  return { encoding, text, complete };
}

/**
 * Hash every byte and find the longest line. `pace(bytes)` is awaited before each megabyte, so
 * that this pass follows DuckDB's parse instead of racing it for the cores; `onBytes` reports
 * progress. Throws the line-length error as soon as a line passes MAX_LINE_BYTES.
 */
export async function scanBytes(
  path: string,
  name: string,
  options: { signal?: AbortSignal; pace?: (bytes: number) => Promise<void>; onBytes?: (bytes: number) => void },
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  const buffer = Buffer.alloc(CHUNK_BYTES);
  let bytes = 0;
  let sinceNewline = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) break;
      await options.pace?.(bytes + CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, bytes);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      const last = chunk.lastIndexOf(10);
      if (last < 0) sinceNewline += bytesRead;
      else {
        // The longest line inside the chunk: only needed when the chunk alone could hold one too long.
        const first = chunk.indexOf(10);
        if (sinceNewline + first > MAX_LINE_BYTES) throw new TickworkError('bad_data', lineTooLongMessage(name));
        sinceNewline = bytesRead - last - 1;
      }
      if (sinceNewline > MAX_LINE_BYTES) throw new TickworkError('bad_data', lineTooLongMessage(name));
      bytes += bytesRead;
      options.onBytes?.(bytes);
    }
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Write `path` as UTF-8 to `out`, decoding it as `encoding` (a BOM is dropped). */
export async function transcodeToUtf8(path: string, encoding: Encoding, out: string, signal?: AbortSignal): Promise<void> {
  const input = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const output = createWriteStream(out);
  let decoder: InstanceType<typeof TextDecoder> | null = null;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (signal?.aborted) break;
      let view: Uint8Array = chunk;
      if (decoder === null) {
        const opened = decoderFor(chunk, encoding);
        decoder = opened.decoder;
        view = chunk.subarray(opened.skip);
      }
      let text = decoder.decode(view, { stream: true });
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (!output.write(text)) await once(output, 'drain');
    }
    output.write(decoder?.decode() ?? '');
  } finally {
    input.destroy();
    output.end();
    await once(output, 'close');
  }
}

/**
 * The line where a quoted field opens and never closes (RFC 4180: a doubled quote inside a
 * quoted field toggles twice, so only a lone quote changes the state), or null.
 */
export async function findOpenQuote(path: string): Promise<number | null> {
  const input = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  let line = 1;
  let inQuote = false;
  let openedAt = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 10) line++;
      else if (b === 34) {
        inQuote = !inQuote;
        if (inQuote) openedAt = line;
      }
    }
  }
  return inQuote ? openedAt : null;
}
