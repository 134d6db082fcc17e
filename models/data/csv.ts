/**
 * Delimited-text reading with papaparse: header row, delimiter sniffed among , ; tab |,
 * quoted fields (embedded delimiters, newlines, doubled quotes), CRLF, UTF-8 with or without a
 * BOM, UTF-16 with a BOM, Windows-1252 / Latin-1 when the bytes are not UTF-8.
 *
 * Files stream: bytes are decoded chunk by chunk, papaparse hands over rows a chunk at a time,
 * and the rows go straight into typed-array columns (table.ts), so a file is never held in
 * memory as text or as rows of strings. Reading reports progress, can be cancelled with an
 * AbortSignal, and keeps a uniform random sample when the file has more rows than `maxRows`.
 * Every problem becomes a TickworkError('bad_data') that names the file and says what to do.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { TickworkError } from '../../shared/errors.js';
import { createRng } from '../random.js';
import { decoderFor, type Encoding } from './encoding.js';
import { ColumnBuilder, MissingTokens, type Table } from './table.js';

const DELIMITERS = [',', ';', '\t', '|'];
/** A "line" longer than this is not a row of a table (e.g. a 2 GB single-line file). */
export const MAX_LINE_CHARS = 32 * 2 ** 20;
const CHUNK_BYTES = 1 << 20;

export interface DelimitedOptions {
  /** Tokens read as missing (case-insensitive); default: empty, NA, N/A, NaN, null, None, ?, -. */
  missingTokens?: readonly string[];
  /** Keep at most this many rows: a uniform random sample (seeded) when the file has more. */
  maxRows?: number;
  seed?: number;
  signal?: AbortSignal;
  /** Called about once per megabyte read. */
  onProgress?: (progress: ReadProgress) => void;
}

export interface ReadProgress {
  bytes: number;
  totalBytes: number;
  rows: number;
}

function uniqueHeader(raw: string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((name, i) => {
    let base = name.trim();
    if (base === '') base = `column_${i + 1}`;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}_${count + 1}`;
  });
}

const emptyMessage = (name: string) => `${name} is empty. Open a CSV file with a header row and at least one data row.`;
const binaryMessage = (name: string) =>
  `${name} does not look like a text file (it contains binary bytes). Open a CSV file with a header row.`;

/** Receives parsed rows (header first) and builds the columns; shared by the string and file paths. */
class RowSink {
  private header: string[] | null = null;
  private builders: ColumnBuilder[] = [];
  private readonly missing: MissingTokens;
  private readonly maxRows: number;
  private readonly rng: () => number;
  /** Data rows seen in the file (kept or not), and rows kept. */
  private seen = 0;
  private kept = 0;
  private lines: Int32Array | null = null;
  private raggedCount = 0;
  private readonly ragged: string[] = [];
  delimiter = ',';

  constructor(
    private readonly meta: { name: string; source: string },
    options: DelimitedOptions,
  ) {
    this.missing = new MissingTokens(options.missingTokens);
    this.maxRows = options.maxRows ?? Infinity;
    this.rng = createRng(options.seed ?? 42);
  }

  /** Reserve column storage for about this many rows. */
  reserve(rows: number): void {
    const n = Math.min(Math.ceil(rows), this.maxRows);
    for (const b of this.builders) b.reserve(n);
  }

  add(row: string[]): void {
    if (row.length === 1 && row[0].trim() === '') return; // a blank line
    if (this.header === null) {
      this.header = uniqueHeader(row);
      this.builders = this.header.map(() => new ColumnBuilder(this.missing));
      return;
    }
    const line = this.seen + 2; // header is line 1; one line per record assumed
    this.seen++;
    if (row.length !== this.header.length) {
      this.raggedCount++;
      if (this.ragged.length < 5) this.ragged.push(`line ${line} has ${row.length}`);
      return;
    }
    if (this.kept < this.maxRows) {
      for (let c = 0; c < row.length; c++) this.builders[c].push(row[c]);
      this.kept++;
      return;
    }
    // Reservoir sampling (Algorithm R): every row ends up kept with the same probability.
    if (this.lines === null) this.lines = Int32Array.from({ length: this.kept }, (_, r) => r + 2);
    const j = Math.floor(this.rng() * this.seen);
    if (j < this.maxRows) {
      for (let c = 0; c < row.length; c++) this.builders[c].set(j, row[c]);
      this.lines[j] = line;
    }
  }

  get rowsSeen(): number {
    return this.seen;
  }

  finish(): Table {
    const { name, source } = this.meta;
    if (this.header === null) throw new TickworkError('bad_data', emptyMessage(name));
    const header = this.header;
    if (this.seen === 0) {
      throw new TickworkError(
        'bad_data',
        `${name} has a header row but no data rows. Add rows below the header (columns: ${header.slice(0, 8).join(', ')}).`,
      );
    }
    if (header.length < 2) {
      throw new TickworkError(
        'bad_data',
        `${name} has only one column ("${header[0]}"). Tickwork needs at least one feature and a target; ` +
          `check that the file is delimited by , ; tab or |.`,
      );
    }
    if (this.raggedCount > 0) {
      const d = this.delimiter === '\t' ? '\\t' : this.delimiter;
      throw new TickworkError(
        'bad_data',
        `${name}: ${this.raggedCount} row(s) do not have the ${header.length} fields of the header (${this.ragged.join(', ')}). ` +
          `Fix those rows, or quote fields that contain the delimiter "${d}".`,
      );
    }
    const sampled = this.seen > this.kept;
    return {
      name,
      source,
      delimiter: this.delimiter,
      columnNames: header,
      columns: this.builders.map((b) => b.finish()),
      rowCount: this.kept,
      sample: sampled ? { totalRows: this.seen, lines: this.lines! } : null,
    };
  }
}

// Blank lines are skipped by RowSink (papaparse's 'greedy' mode joins every row to test it).
const PAPA_CONFIG = { delimitersToGuess: DELIMITERS, skipEmptyLines: true, header: false as const };

function quoteError(name: string, nearLine: number): TickworkError {
  return new TickworkError('bad_data', `${name}: a quoted field is not closed (near line ${nearLine}). Check the quotes in that row.`);
}

/** Parse delimited text already in memory (small inputs and tests); same rules as the file reader. */
export function parseDelimited(text: string, meta: { name: string; source: string }, options: DelimitedOptions = {}): Table {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\u0000')) throw new TickworkError('bad_data', binaryMessage(meta.name));
  if (text.trim() === '') throw new TickworkError('bad_data', emptyMessage(meta.name));
  const parsed = Papa.parse<string[]>(text, PAPA_CONFIG);
  const quotes = parsed.errors.find((e) => e.type === 'Quotes');
  if (quotes) throw quoteError(meta.name, (quotes.row ?? 0) + 1);
  const sink = new RowSink(meta, options);
  sink.delimiter = parsed.meta.delimiter || ',';
  for (const row of parsed.data) sink.add(row);
  return sink.finish();
}

class NotUtf8 extends Error {}

/**
 * Stream a delimited file into a Table. Falls back to Windows-1252 (a superset of Latin-1 for
 * printable text) when the bytes are not valid UTF-8, re-reading the file from the start.
 */
export async function readDelimitedFile(
  path: string,
  meta: { name: string; source: string },
  totalBytes: number,
  options: DelimitedOptions = {},
): Promise<{ table: Table; sha256: string }> {
  try {
    return await streamOnce(path, meta, totalBytes, options, null);
  } catch (err) {
    if (err instanceof NotUtf8) return streamOnce(path, meta, totalBytes, options, 'windows-1252');
    throw err;
  }
}

function cancelled(name: string): TickworkError {
  return new TickworkError('cancelled', `Reading ${name} was cancelled; nothing was loaded.`);
}

async function streamOnce(
  path: string,
  meta: { name: string; source: string },
  totalBytes: number,
  options: DelimitedOptions,
  forced: Encoding | null,
): Promise<{ table: Table; sha256: string }> {
  const { signal, onProgress } = options;
  if (signal?.aborted) throw cancelled(meta.name);
  const hash = createHash('sha256');
  const sink = new RowSink(meta, options);
  const bytesIn = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  let bytes = 0;
  let firstChunkBytes = 0;
  let failure: unknown = null;

  async function* decoded(): AsyncGenerator<string> {
    let decoder: InstanceType<typeof TextDecoder> | null = null;
    let first = true;
    let sinceNewline = 0;
    for await (const chunk of bytesIn as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw cancelled(meta.name);
      hash.update(chunk);
      bytes += chunk.length;
      let view: Uint8Array = chunk;
      if (decoder === null) {
        const opened = decoderFor(chunk, forced);
        decoder = opened.decoder;
        view = chunk.subarray(opened.skip);
      }
      let text: string;
      try {
        text = decoder.decode(view, { stream: true });
      } catch {
        throw new NotUtf8();
      }
      if (first) {
        first = false;
        firstChunkBytes = chunk.length;
        if (text.includes('\u0000')) throw new TickworkError('bad_data', binaryMessage(meta.name));
      }
      const lastNewline = text.lastIndexOf('\n');
      if (lastNewline < 0) sinceNewline += text.length;
      else sinceNewline = text.length - lastNewline - 1;
      if (sinceNewline > MAX_LINE_CHARS) {
        throw new TickworkError(
          'bad_data',
          `${meta.name}: a line runs on for more than ${MAX_LINE_CHARS / 2 ** 20} MB without a line break, which is not a table ` +
            `of rows. Check that this is a CSV file with one row per line (or a quote left open early in the file).`,
        );
      }
      if (text.length > 0) yield text;
      onProgress?.({ bytes, totalBytes, rows: sink.rowsSeen });
    }
    const rest = decoder?.decode() ?? '';
    if (rest) yield rest;
  }

  const source = Readable.from(decoded(), { highWaterMark: 1 }); // one decoded chunk ahead, not 16
  await new Promise<void>((resolve) => {
    let firstChunk = true;
    Papa.parse<string[]>(source as unknown as File, {
      ...PAPA_CONFIG,
      chunk(results, parser) {
        if (signal?.aborted) {
          failure = cancelled(meta.name);
          parser.abort();
          return;
        }
        const quotes = results.errors.find((e) => e.type === 'Quotes');
        if (quotes) {
          failure = quoteError(meta.name, sink.rowsSeen + (quotes.row ?? 0) + 2);
          parser.abort();
          return;
        }
        const rows = results.data;
        for (let i = 0; i < rows.length; i++) sink.add(rows[i]);
        if (firstChunk) {
          firstChunk = false;
          sink.delimiter = results.meta.delimiter || ',';
          // Size the columns once from the bytes per row of the first chunk, so they rarely regrow.
          if (sink.rowsSeen > 0 && firstChunkBytes > 0 && totalBytes > firstChunkBytes) {
            sink.reserve(((sink.rowsSeen * totalBytes) / firstChunkBytes) * 1.02 + 16);
          }
        }
      },
      complete: () => resolve(),
      error: (err: Error) => {
        failure ??= err;
        resolve();
      },
    });
    source.on('error', (err) => {
      failure ??= err;
      resolve();
    });
  });
  source.destroy();
  bytesIn.destroy();
  if (failure instanceof NotUtf8 || failure instanceof TickworkError) throw failure;
  if (failure) {
    const code = (failure as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TickworkError('not_found', `${path} was removed while it was being read. Pick the file again.`);
    throw new TickworkError('io', `Cannot read ${path}: ${(failure as Error).message}`);
  }
  if (signal?.aborted) throw cancelled(meta.name);
  if (bytes === 0) throw new TickworkError('bad_data', emptyMessage(meta.name));
  onProgress?.({ bytes, totalBytes, rows: sink.rowsSeen });
  return { table: sink.finish(), sha256: hash.digest('hex') };
}
