/**
 * A Table is what every reader produces: named, typed-array columns built while the file
 * streams in, so that a million-row file costs about 8 bytes per numeric cell and 4 per
 * categorical cell instead of a JavaScript string per cell.
 *
 * A column is stored one of two ways, decided as the cells arrive:
 *   - number: a Float64Array (NaN where the cell is missing), plus the few cells that are not
 *     numbers (kept verbatim by row, so the data check can name their lines);
 *   - text: an Int32Array of codes into a dictionary of the distinct strings (−1 = missing).
 * A column starts as number and turns into text when a fourth distinct non-number appears or
 * when non-numbers make up more than a tenth of it (the numbers seen so far keep their value
 * but are written back in JavaScript's shortest form: "1.50" becomes "1.5").
 *
 * Typing (numeric, integer, boolean, categorical, datetime, text) and statistics happen in
 * schema.ts; encoders read columns through `numberView` / `textView`, which work for both.
 */
import { parseNumberCell } from './numbers.js';
import type { EngineStats } from './engine-profile.js';

export interface NumberColumn {
  kind: 'number';
  /** values[r]: the number in row r, or NaN when the cell is missing or not a number. */
  values: Float64Array;
  /** Cells that are not numbers, by row (verbatim, trimmed). */
  invalid: Map<number, string>;
}

export interface TextColumn {
  kind: 'text';
  /** codes[r]: index into `dictionary`, or −1 when the cell is missing. */
  codes: Int32Array;
  dictionary: string[];
}

export type Column = NumberColumn | TextColumn;

export interface Table {
  name: string;
  /** Where it came from: a file path or `bundled:<name>`. */
  source: string;
  /** Delimiter found in the file ("," ";" "\t" "|"), or "" for other formats and generated data. */
  delimiter: string;
  columnNames: string[];
  columns: Column[];
  rowCount: number;
  /**
   * Set when the file had more rows than the reader's cap and a uniform random sample of them
   * was kept: how many data rows the file has, and the file line of each kept row.
   */
  sample: { totalRows: number; lines: Int32Array } | null;
  /**
   * Statistics the data engine (DuckDB) computed over every row of the source — the whole file or
   * query result, not only the rows held here; profileTable and runDoctor use them. Absent for
   * Tables built in JavaScript (generated data, rows sent for prediction, tests).
   */
  stats?: EngineStats | null;
  /** The SQL query whose result this Table is (see query.ts); absent or null: the file as it is. */
  query?: string | null;
}

/** Tokens that mean "no value" in the exports analysts bring (compared case-insensitively). */
export const DEFAULT_MISSING_TOKENS = ['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-'];

/** Decides which raw cells are missing; built once per read from the configured tokens. */
export class MissingTokens {
  private readonly set: Set<string>;
  private readonly longest: number;
  constructor(tokens: readonly string[] = DEFAULT_MISSING_TOKENS) {
    this.set = new Set(tokens.map((t) => t.trim().toLowerCase()));
    this.set.add('');
    this.longest = Math.max(...[...this.set].map((t) => t.length));
  }
  /** `raw` must already be trimmed. */
  has(raw: string): boolean {
    return raw.length <= this.longest && this.set.has(raw.toLowerCase());
  }
}

const defaultMissing = new MissingTokens();

/** Distinct strings and their codes, in first-seen order. */
class Dictionary {
  readonly values: string[] = [];
  private readonly lookup = new Map<string, number>();
  code(value: string): number {
    let k = this.lookup.get(value);
    if (k === undefined) {
      k = this.values.length;
      this.values.push(value);
      this.lookup.set(value, k);
    }
    return k;
  }
}

/**
 * Codes of the first `rows` cells of a number column written as text: numbers in JavaScript's
 * shortest form, non-numbers verbatim, −1 where missing.
 */
function numbersToCodes(values: Float64Array, invalid: Map<number, string>, rows: number, dictionary: Dictionary, codes: Int32Array): void {
  for (let r = 0; r < rows; r++) {
    const v = values[r];
    const bad = v === v ? undefined : invalid.get(r);
    codes[r] = v === v ? dictionary.code(String(v)) : bad !== undefined ? dictionary.code(bad) : -1;
  }
}

function trimCell(raw: string): string {
  const n = raw.length;
  return n > 0 && (raw.charCodeAt(0) <= 32 || raw.charCodeAt(n - 1) <= 32) ? raw.trim() : raw;
}

/** A column non-numbers would turn into text: more than this many distinct ones. */
const MAX_INVALID_DISTINCT = 3;
/** ... or more than this share of the present cells. */
const MAX_INVALID_SHARE = 0.1;

/**
 * Builds one column from raw cells. Storage grows by a quarter when full (or to `capacityHint`),
 * so the peak while reading stays near the final size.
 */
export class ColumnBuilder {
  private mode: 'number' | 'text' = 'number';
  private numbers: Float64Array;
  private codes: Int32Array | null = null;
  private readonly dictionary = new Dictionary();
  private readonly invalid = new Map<number, string>();
  private readonly invalidDistinct = new Set<string>();
  private present = 0;
  length = 0;

  constructor(
    private readonly missing: MissingTokens = defaultMissing,
    capacityHint = 1024,
  ) {
    this.numbers = new Float64Array(Math.max(16, capacityHint));
  }

  private capacity(): number {
    return this.mode === 'number' ? this.numbers.length : this.codes!.length;
  }

  private grow(min: number): void {
    const size = Math.max(min, Math.ceil(this.capacity() * 1.25) + 16);
    if (this.mode === 'number') {
      const next = new Float64Array(size);
      next.set(this.numbers.subarray(0, this.length));
      this.numbers = next;
    } else {
      const next = new Int32Array(size).fill(-1);
      next.set(this.codes!.subarray(0, this.length));
      this.codes = next;
    }
  }

  /** Reserve room for `rows` rows (a better estimate of the final size). */
  reserve(rows: number): void {
    if (rows > this.capacity()) this.grow(rows);
  }

  /** Switch to text storage, converting the first `rows` rows. */
  private toText(rows: number): void {
    const codes = new Int32Array(Math.max(16, this.numbers.length)).fill(-1);
    numbersToCodes(this.numbers, this.invalid, rows, this.dictionary, codes);
    this.mode = 'text';
    this.codes = codes;
    this.numbers = new Float64Array(0);
    this.invalid.clear();
    this.invalidDistinct.clear();
  }

  /** Append a raw cell (untrimmed; missing tokens become missing). */
  push(raw: string | null): void {
    if (this.length >= this.capacity()) this.grow(this.length + 1);
    this.write(this.length, raw);
    this.length++;
  }

  /** Replace row r (reservoir sampling). */
  set(r: number, raw: string | null): void {
    if (this.mode === 'number') {
      if (this.numbers[r] === this.numbers[r]) this.present--;
      else if (this.invalid.delete(r)) this.present--;
    } else if (this.codes![r] >= 0) this.present--;
    this.write(r, raw);
  }

  private write(r: number, raw: string | null): void {
    const cell = raw === null ? '' : trimCell(raw);
    if (this.missing.has(cell)) {
      if (this.mode === 'number') this.numbers[r] = NaN;
      else this.codes![r] = -1;
      return;
    }
    this.present++;
    if (this.mode === 'text') {
      this.codes![r] = this.dictionary.code(cell);
      return;
    }
    const n = parseNumberCell(cell);
    if (n !== null) {
      this.numbers[r] = n;
      return;
    }
    this.numbers[r] = NaN;
    this.invalid.set(r, cell);
    this.invalidDistinct.add(cell);
    // Row r is not yet counted in `length` when it is being appended.
    if (this.invalidDistinct.size > MAX_INVALID_DISTINCT) this.toText(Math.max(this.length, r + 1));
  }

  finish(): Column {
    if (this.mode === 'number' && this.invalid.size > 0 && this.invalid.size > MAX_INVALID_SHARE * this.present) this.toText(this.length);
    if (this.mode === 'number' && this.present === 0) this.toText(this.length); // all missing: nothing numeric about it
    if (this.mode === 'number') {
      return { kind: 'number', values: this.numbers.subarray(0, this.length), invalid: this.invalid };
    }
    return { kind: 'text', codes: this.codes!.subarray(0, this.length), dictionary: this.dictionary.values };
  }
}

/** The raw value of row r as a string (numbers in JavaScript's shortest form), or null when missing. */
export function cell(column: Column, r: number): string | null {
  if (column.kind === 'number') {
    const v = column.values[r];
    return v === v ? String(v) : (column.invalid.get(r) ?? null);
  }
  const k = column.codes[r];
  return k >= 0 ? column.dictionary[k] : null;
}

export function isMissing(column: Column, r: number): boolean {
  if (column.kind === 'number') return column.values[r] !== column.values[r] && !column.invalid.has(r);
  return column.codes[r] < 0;
}

export interface NumberView {
  /** NaN where missing or not a number. */
  values: Float64Array;
  /** Non-missing cells that are not numbers, by row. */
  invalid: Map<number, string>;
}

const numberViews = new WeakMap<Column, NumberView>();

/** Any column read as numbers (a text column's dictionary is parsed once). */
export function numberView(column: Column): NumberView {
  if (column.kind === 'number') return column;
  let view = numberViews.get(column);
  if (!view) {
    const parsed = column.dictionary.map((s) => parseNumberCell(s));
    const values = new Float64Array(column.codes.length);
    const invalid = new Map<number, string>();
    for (let r = 0; r < values.length; r++) {
      const k = column.codes[r];
      const n = k >= 0 ? parsed[k] : null;
      values[r] = n ?? NaN;
      if (k >= 0 && n === null) invalid.set(r, column.dictionary[k]);
    }
    view = { values, invalid };
    numberViews.set(column, view);
  }
  return view;
}

const textViews = new WeakMap<Column, TextColumn>();

/** Any column read as dictionary codes (a number column's values are written out once). */
export function textView(column: Column): TextColumn {
  if (column.kind === 'text') return column;
  let view = textViews.get(column);
  if (!view) {
    const dictionary = new Dictionary();
    const codes = new Int32Array(column.values.length);
    numbersToCodes(column.values, column.invalid, codes.length, dictionary, codes);
    view = { kind: 'text', codes, dictionary: dictionary.values };
    textViews.set(column, view);
  }
  return view;
}

/** Build a table from rows of raw strings (row-major): small inputs, other formats, tests. */
export function tableFromRows(
  meta: { name: string; source: string; delimiter: string },
  columnNames: string[],
  rows: readonly (readonly (string | null)[])[],
  missing: MissingTokens = defaultMissing,
): Table {
  const builders = columnNames.map(() => new ColumnBuilder(missing, rows.length));
  for (const row of rows) for (let c = 0; c < builders.length; c++) builders[c].push(row[c] ?? null);
  return { ...meta, columnNames, columns: builders.map((b) => b.finish()), rowCount: rows.length, sample: null };
}

/** The row's cells keyed by column name, e.g. for scoring or previews. */
export function tableRow(table: Table, r: number): Record<string, string | null> {
  const row: Record<string, string | null> = {};
  table.columnNames.forEach((name, c) => (row[name] = cell(table.columns[c], r)));
  return row;
}

/** A column's cells as strings (tests, small tables). */
export function columnCells(table: Table, c: number): (string | null)[] {
  return Array.from({ length: table.rowCount }, (_, r) => cell(table.columns[c], r));
}

export function columnIndex(table: Table, name: string): number {
  return table.columnNames.indexOf(name);
}

/** The file line of row r, for messages (the header is line 1; one line per record assumed). */
export function lineOf(table: Table, r: number): number {
  return table.sample ? table.sample.lines[r] : r + 2;
}

/** One column from raw cells (what-if rows, tests). */
export function columnFromCells(cells: readonly (string | null)[], missing: MissingTokens = defaultMissing): Column {
  const builder = new ColumnBuilder(missing, cells.length);
  for (const c of cells) builder.push(c);
  return builder.finish();
}
