/**
 * A predict request's body → a Table of rows, under the size and row limits.
 *
 *   application/json   {"rows": [{"column": value, …}, …]}; values are numbers, strings,
 *                      booleans or null (missing); each row needs every input column.
 *   text/csv           a header row and data rows, read by the same parser as `tickwork predict`.
 *
 * The body is read up to `maxBodyBytes` (a declared or actual larger one is a 413); the rows are
 * then counted against `maxRows` (400).
 */
import type { IncomingMessage } from 'node:http';
import { parseDelimited } from '../../models/data/csv.js';
import { decodeText } from '../../models/data/encoding.js';
import { tableFromRows, type Table } from '../../models/data/table.js';
import type { PreprocessingSpec } from '../../models/prep/preprocessing.js';
import { TickworkError } from '../../shared/errors.js';
import { HttpError } from './http-error.js';
import type { Limits } from './protocol.js';

export interface RequestRows {
  table: Table;
  /** How a row is named in messages: "row 3" for JSON, "line 4" for CSV (the header is line 1). */
  rowLabel: (row: number) => string;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MiB`;

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body_too_large', `The request body is larger than the limit of ${mib(limit)}. Send fewer rows per request (the server's --max-body-mb sets the limit).`, {
    limitBytes: limit,
  });
}

/** Read the whole body, or fail with 413 as soon as it passes the limit. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        fail(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (err) => fail(new HttpError(400, 'body_unreadable', `The request body could not be read: ${err.message}.`)));
    req.on('aborted', () => fail(new HttpError(400, 'body_unreadable', 'The client closed the connection before sending the whole body.')));
  });
}

type MediaType = 'json' | 'csv';

function mediaType(header: string | undefined): MediaType {
  const type = (header ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'text/csv' || type === 'application/csv') return 'csv';
  throw new HttpError(
    415,
    'unsupported_media_type',
    `${type === '' ? 'The request has no content-type' : `The content-type "${type.slice(0, 60)}" is not supported`}. Send JSON rows with content-type: application/json ({"rows": [{...}]}) or a CSV file with content-type: text/csv.`,
  );
}

function tooManyRows(rows: number, limit: number): HttpError {
  return new HttpError(400, 'too_many_rows', `The request has ${rows} rows; at most ${limit} are scored per request. Split it into smaller requests (the server's --max-rows sets the limit).`, {
    rows,
    limitRows: limit,
  });
}

function missingColumns(missing: string[], spec: PreprocessingSpec, where: string): HttpError {
  return new HttpError(400, 'missing_columns', `${where} lack column(s) the model needs: ${missing.join(', ')}. The model's inputs are: ${spec.inputs.join(', ')}.`, {
    columns: missing,
  });
}

type JsonCell = string | number | boolean | null;

function jsonRows(text: string, spec: PreprocessingSpec, maxRows: number): Table {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'malformed_body', `The body is not valid JSON (${(err as Error).message}). Send {"rows": [{"column": value, …}, …]}.`);
  }
  const rows = (body as { rows?: unknown } | null)?.rows;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(rows)) {
    throw new HttpError(400, 'malformed_body', 'The JSON body needs a "rows" array: {"rows": [{"column": value, …}, …]}.');
  }
  if (rows.length > maxRows) throw tooManyRows(rows.length, maxRows);
  // Columns: the model's inputs first, then any others the rows carry (reported as ignored).
  const columns = [...spec.inputs];
  const at = new Map(columns.map((name, i) => [name, i]));
  const lacking = new Set<string>();
  const cells: (string | null)[][] = [];
  rows.forEach((row, r) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new HttpError(400, 'malformed_body', `Row ${r + 1} is not an object. Each row is {"column": value, …}.`, { row: r + 1 });
    }
    const out: (string | null)[] = new Array(columns.length).fill(null);
    const record = row as Record<string, unknown>;
    for (const name of spec.inputs) if (!(name in record)) lacking.add(name);
    for (const [name, value] of Object.entries(record)) {
      let c = at.get(name);
      if (c === undefined) {
        c = columns.length;
        columns.push(name);
        at.set(name, c);
      }
      if (value !== null && typeof value === 'object') {
        throw new HttpError(400, 'malformed_body', `Row ${r + 1}, column "${name}" holds ${Array.isArray(value) ? 'an array' : 'an object'}; a value is a number, a string, true/false or null (missing).`, {
          row: r + 1,
          column: name,
        });
      }
      out[c] = value === null || value === undefined ? null : String(value as JsonCell);
    }
    cells.push(out);
  });
  if (lacking.size > 0) throw missingColumns([...lacking], spec, 'Some rows');
  return tableFromRows({ name: 'The request', source: 'request', delimiter: '' }, columns, cells);
}

function csvRows(bytes: Buffer, spec: PreprocessingSpec, maxRows: number): Table {
  let table: Table;
  try {
    table = parseDelimited(decodeText(bytes), { name: 'the CSV body', source: 'request' });
  } catch (err) {
    if (err instanceof TickworkError) throw new HttpError(400, 'malformed_body', err.message);
    throw err;
  }
  if (table.rowCount > maxRows) throw tooManyRows(table.rowCount, maxRows);
  const missing = spec.inputs.filter((name) => !table.columnNames.includes(name));
  if (missing.length > 0) throw missingColumns(missing, spec, 'The CSV body rows');
  return table;
}

/** Parse a predict body into rows over the model's inputs (and any extra columns sent). */
export function parseRows(body: Buffer, contentType: string | undefined, spec: PreprocessingSpec, limits: Pick<Limits, 'maxRows'>): RequestRows {
  const type = mediaType(contentType);
  if (type === 'json') {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw new HttpError(400, 'malformed_body', 'The JSON body is not valid UTF-8.');
    }
    return { table: jsonRows(text, spec, limits.maxRows), rowLabel: (r) => `row ${r + 1}` };
  }
  return { table: csvRows(body, spec, limits.maxRows), rowLabel: (r) => `line ${r + 2}` };
}
