/**
 * Readers in JavaScript for what DuckDB does not read (engine-read.ts), each producing the same
 * string-celled Table as the CSV reader:
 *   Excel .xlsx — read-excel-file (first sheet, or one chosen by name or 1-based number); the
 *     Table then goes into DuckDB (DuckDB's excel extension is downloaded at run time);
 *   JSON (an array of objects) and JSON Lines — JSON.parse, one object per row: DuckDB reads
 *     these files; this parser only runs when DuckDB rejects one, to name the bad item or line.
 * Cells become strings: numbers in full precision, booleans as true/false, dates as ISO 8601.
 */
import { TickworkError } from '../../shared/errors.js';
import { MissingTokens, tableFromRows, type Table } from './table.js';

type Cell = unknown;

function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
}

/** Rows as objects → Table; the columns are the union of keys, in first-seen order. */
function fromObjects(objects: Record<string, Cell>[], meta: { name: string; source: string }, what: string, missing: MissingTokens): Table {
  if (objects.length === 0) throw new TickworkError('bad_data', `${meta.name} has no rows. ${what} with at least one row is needed.`);
  const names: string[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    for (const key of Object.keys(o)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  if (names.length < 2) {
    throw new TickworkError('bad_data', `${meta.name} has ${names.length} field(s) (${names.join(', ')}); Tickwork needs at least one feature and a target.`);
  }
  return tableFromRows({ ...meta, delimiter: '' }, names, objects.map((o) => names.map((n) => cellText(o[n]))), missing);
}

function isRecord(value: unknown): value is Record<string, Cell> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJson(text: string, meta: { name: string; source: string }, missing = new MissingTokens()): Table {
  const trimmed = text.trimStart();
  if (trimmed === '') throw new TickworkError('bad_data', `${meta.name} is empty.`);
  if (trimmed.startsWith('[')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new TickworkError('bad_data', `${meta.name} is not valid JSON: ${(err as Error).message}.`);
    }
    const rows = data as unknown[];
    const bad = rows.findIndex((r) => !isRecord(r));
    if (bad >= 0) throw new TickworkError('bad_data', `${meta.name}: item ${bad + 1} of the array is not an object. Use an array of objects, one per row.`);
    return fromObjects(rows as Record<string, Cell>[], meta, 'An array of objects', missing);
  }
  return parseJsonLines(text, meta);
}

export function parseJsonLines(text: string, meta: { name: string; source: string }, missing = new MissingTokens()): Table {
  const objects: Record<string, Cell>[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new TickworkError('bad_data', `${meta.name}: line ${i + 1} is not valid JSON. JSON Lines files hold one JSON object per line.`);
    }
    if (!isRecord(value)) throw new TickworkError('bad_data', `${meta.name}: line ${i + 1} is not a JSON object.`);
    objects.push(value);
  }
  return fromObjects(objects, meta, 'One JSON object per line', missing);
}

export async function readXlsx(path: string, meta: { name: string; source: string }, sheet?: string, missing = new MissingTokens()): Promise<Table> {
  const { readSheet } = await import('read-excel-file/node');
  const which = sheet === undefined ? 1 : /^\d+$/.test(sheet) ? Number(sheet) : sheet;
  let data: unknown[][];
  try {
    data = (await readSheet(path, which)) as unknown[][];
  } catch (err) {
    const message = (err as Error).message;
    if (/sheet/i.test(message) && sheet !== undefined) {
      throw new TickworkError('bad_data', `${meta.name} has no sheet "${sheet}". Give a sheet name, or its number (1 = the first).`);
    }
    throw new TickworkError('bad_data', `${meta.name} could not be read as an Excel .xlsx workbook: ${message}.`);
  }
  const rows = data.filter((r) => r.some((c) => c !== null && c !== undefined && c !== ''));
  if (rows.length === 0) throw new TickworkError('bad_data', `${meta.name}: the sheet is empty.`);
  if (rows.length === 1) throw new TickworkError('bad_data', `${meta.name}: the sheet has a header row but no data rows.`);
  const width = Math.max(...rows.map((r) => r.length));
  const header = Array.from({ length: width }, (_, i) => cellText(rows[0][i]).trim() || `column_${i + 1}`);
  const seen = new Map<string, number>();
  const names = header.map((h) => {
    const n = (seen.get(h) ?? 0) + 1;
    seen.set(h, n);
    return n === 1 ? h : `${h}_${n}`;
  });
  return tableFromRows({ ...meta, delimiter: '' }, names, rows.slice(1).map((r) => names.map((_, i) => cellText(r[i]))), missing);
}
