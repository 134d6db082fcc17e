/**
 * Delimited text in JavaScript (papaparse), for what is already in memory: the head of a file,
 * from which the delimiter and the header row are sniffed before DuckDB parses the whole file
 * (read.ts), and small texts (tests, pasted data). Header row first; delimiter sniffed among
 * , ; tab |; quoted fields (embedded delimiters, newlines, doubled quotes), CRLF, a BOM.
 * Every problem becomes a TickworkError('bad_data') that names the file and says what to do.
 */
import Papa from 'papaparse';
import { TickworkError } from '../../shared/errors.js';
import { createRng } from '../random.js';
import { ColumnBuilder, MissingTokens, type Table } from './table.js';
import { binaryMessage } from './file-scan.js';

const DELIMITERS = [',', ';', '\t', '|'];

export interface DelimitedOptions {
  /** Tokens read as missing (case-insensitive); default: empty, NA, N/A, NaN, null, None, ?, -. */
  missingTokens?: readonly string[];
  /** Keep at most this many rows: a uniform random sample (seeded) when the file has more. */
  maxRows?: number;
  seed?: number;
}

/** Header cells as column names: trimmed, empty ones named column_N, repeats suffixed _2, _3… */
export function uniqueHeader(raw: string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((name, i) => {
    let base = name.trim();
    if (base === '') base = `column_${i + 1}`;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}_${count + 1}`;
  });
}

export const emptyMessage = (name: string) => `${name} is empty. Open a CSV file with a header row and at least one data row.`;

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
    checkShape(name, header, this.seen);
    if (this.raggedCount > 0) throw new TickworkError('bad_data', raggedMessage(name, header.length, this.raggedCount, this.ragged, this.delimiter));
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

export function quoteError(name: string, nearLine: number): TickworkError {
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

/**
 * The delimiter and the header row of a file, from its head: papaparse's guess among , ; tab |
 * over the first rows (it copes with ragged rows, where DuckDB's sniffer picks a wrong
 * delimiter). `header` is the first non-blank row, as the file has it.
 */
export function sniffHead(text: string): { delimiter: string; header: string[] } {
  const parsed = Papa.parse<string[]>(text, { ...PAPA_CONFIG, preview: 200 });
  const header = parsed.data.find((row) => !(row.length === 1 && row[0].trim() === '')) ?? [];
  return { delimiter: parsed.meta.delimiter || ',', header };
}

/** Column names quoted in a message: a few, each cut short. */
const quotedNames = (header: string[]) =>
  header
    .slice(0, 8)
    .map((h) => (h.length > 40 ? `${h.slice(0, 40)}…` : h))
    .join(', ');

/**
 * A header-only or one-column table, in the words of the CSV reader. A file whose first line
 * has no delimiter is not a data table (a key file, a password file, prose): its content is
 * never quoted back, since the message may reach whoever sent the path.
 */
export function checkShape(name: string, header: string[], rows: number): void {
  if (header.length < 2) {
    throw new TickworkError(
      'bad_data',
      `${name} does not look like a data table: its first line has none of the delimiters , ; tab or |, so it has only one column. ` +
        'Tickwork needs a header row and at least two columns (features and a target).',
    );
  }
  if (rows === 0) {
    throw new TickworkError(
      'bad_data',
      `${name} has a header row but no data rows. Add rows below the header (columns: ${quotedNames(header)}${header.length > 8 ? ', …' : ''}).`,
    );
  }
}

/** The ragged-rows sentence: how many rows, the first lines with their field counts. */
export function raggedMessage(name: string, fields: number, count: number, examples: string[], delimiter: string, atLeast = false): string {
  const d = delimiter === '\t' ? '\\t' : delimiter;
  return (
    `${name}: ${atLeast ? 'at least ' : ''}${count} row(s) do not have the ${fields} fields of the header (${examples.join(', ')}). ` +
    `Fix those rows, or quote fields that contain the delimiter "${d}".`
  );
}
