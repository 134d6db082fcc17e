/**
 * Delimited-text reading with papaparse: header row, delimiter sniffed among , ; tab |,
 * quoted fields, CRLF, UTF-8 BOM. Every problem becomes a TickworkError('bad_data') that names
 * the file and says what to do.
 */
import Papa from 'papaparse';
import { TickworkError } from '../../shared/errors.js';
import { tableFromRows, type Table } from './table.js';

const DELIMITERS = [',', ';', '\t', '|'];

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

export function parseDelimited(text: string, meta: { name: string; source: string }): Table {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\u0000')) {
    throw new TickworkError(
      'bad_data',
      `${meta.name} does not look like a text file (it contains binary bytes). Open a CSV file with a header row.`,
    );
  }
  if (text.trim() === '') {
    throw new TickworkError('bad_data', `${meta.name} is empty. Open a CSV file with a header row and at least one data row.`);
  }
  const parsed = Papa.parse<string[]>(text, {
    delimitersToGuess: DELIMITERS,
    skipEmptyLines: 'greedy',
    header: false,
  });
  const rows = parsed.data;
  const delimiter = parsed.meta.delimiter || ',';
  const quoteError = parsed.errors.find((e) => e.type === 'Quotes');
  if (quoteError) {
    throw new TickworkError(
      'bad_data',
      `${meta.name}: a quoted field is not closed (row ${(quoteError.row ?? 0) + 1}). Check the quotes in that row.`,
    );
  }
  if (rows.length === 0) {
    throw new TickworkError('bad_data', `${meta.name} is empty. Open a CSV file with a header row and at least one data row.`);
  }
  const header = uniqueHeader(rows[0]);
  const data = rows.slice(1);
  if (data.length === 0) {
    throw new TickworkError(
      'bad_data',
      `${meta.name} has a header row but no data rows. Add rows below the header (columns: ${header.slice(0, 8).join(', ')}).`,
    );
  }
  if (header.length < 2) {
    throw new TickworkError(
      'bad_data',
      `${meta.name} has only one column ("${header[0]}"). Tickwork needs at least one feature and a target; ` +
        `check that the file is delimited by , ; tab or |.`,
    );
  }
  const ragged: string[] = [];
  let raggedCount = 0;
  data.forEach((row, i) => {
    if (row.length !== header.length) {
      raggedCount++;
      // Line numbers assume one line per record (header is line 1).
      if (ragged.length < 5) ragged.push(`line ${i + 2} has ${row.length}`);
    }
  });
  if (raggedCount > 0) {
    throw new TickworkError(
      'bad_data',
      `${meta.name}: ${raggedCount} row(s) do not have the ${header.length} fields of the header (${ragged.join(', ')}). ` +
        `Fix those rows, or quote fields that contain the delimiter "${delimiter === '\t' ? '\\t' : delimiter}".`,
    );
  }
  return tableFromRows({ name: meta.name, source: meta.source, delimiter }, header, data);
}
