/**
 * A Table is what every reader produces: named columns of raw cell strings, column-major,
 * with missing cells already turned into `null`. Typing and statistics happen in schema.ts.
 */
export interface Table {
  name: string;
  /** Where it came from: a file path or `bundled:<name>`. */
  source: string;
  /** Delimiter found in the file ("," ";" "\t" "|"), or "" for generated data. */
  delimiter: string;
  columnNames: string[];
  /** columns[c][r] is the raw value of row r in column c, or null when missing. */
  columns: (string | null)[][];
  rowCount: number;
}

/** Tokens that mean "no value" in the exports analysts bring (compared case-insensitively). */
export const DEFAULT_MISSING_TOKENS = ['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-'];

const missingSet = new Set(DEFAULT_MISSING_TOKENS);

export function isMissingToken(value: string): boolean {
  return missingSet.has(value.trim().toLowerCase());
}

/** Build a table from rows of raw strings (row-major), normalizing missing cells to null. */
export function tableFromRows(
  meta: { name: string; source: string; delimiter: string },
  columnNames: string[],
  rows: readonly (readonly string[])[],
): Table {
  const columns: (string | null)[][] = columnNames.map(() => new Array<string | null>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < columnNames.length; c++) {
      const raw = row[c] ?? '';
      columns[c][r] = isMissingToken(raw) ? null : raw.trim();
    }
  }
  return { ...meta, columnNames, columns, rowCount: rows.length };
}

/** Rows as objects keyed by column name, e.g. for scoring or previews. */
export function tableRow(table: Table, r: number): Record<string, string | null> {
  const row: Record<string, string | null> = {};
  table.columnNames.forEach((name, c) => (row[name] = table.columns[c][r]));
  return row;
}

export function columnIndex(table: Table, name: string): number {
  return table.columnNames.indexOf(name);
}
