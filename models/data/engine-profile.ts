/**
 * Column typing and statistics computed by DuckDB over every row of a dataset table — the whole
 * file (or the query's whole result), also when the Table held in JavaScript is a sample.
 *
 * Typing follows the JavaScript reader's rules (table.ts), so a column is typed the same either way:
 *   - number: a column DuckDB reads as numbers; ±infinity cells count as not-numbers;
 *   - mixed ("numeric with stray cells"): a text column whose present cells are numbers in
 *     decimal notation except at most 3 distinct others that make up at most a tenth of them;
 *   - text: everything else, trimmed, with the missing tokens (case-insensitive) as missing.
 * Then, as schema.ts does for Tables built in JavaScript: count, missing, min, max, mean, population
 * std, integer or not, the distinct count and the 10 most frequent values, and for text columns the
 * finer type (boolean, datetime, free text, categorical) from the counts of their values.
 *
 * Distinct counts are exact up to GROUP_LIMIT distinct values (a GROUP BY) and DuckDB's
 * HyperLogLog estimate (about 2% error) beyond; such columns list no most-frequent values for
 * numbers (one value per row of a measurement says nothing) and the exact top 10 for text.
 * Histograms are computed by the caller from the held values when they are every row (faster),
 * else here over the whole table.
 */
import { HISTOGRAM_BINS, profileColumn, textTypeOf, type ColumnProfile } from './schema.js';
import { columnFromCells } from './table.js';
import { ident, literal, type Connection } from './engine.js';

/** Exact distinct counts and value counts up to this many distinct values per column. */
export const GROUP_LIMIT = 100_000;
/** A number cell: decimal notation only, as numbers.ts reads them. */
const NUMBER_RE = '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?';
const DATE_RE = '\\d{4}[-/]\\d{2}[-/]\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?)?';
const SPACE = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)";
const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;

export interface ColumnPlan {
  name: string;
  kind: 'number' | 'mixed' | 'text';
  /** SQL: the cell as DOUBLE (null when missing or not a number); number and mixed columns. */
  value: string;
  /** SQL: the cell as trimmed text, null when missing; mixed and text columns. */
  text: string;
}

export interface EngineStats {
  /** Rows of the whole dataset (the Table may hold a sample of them). */
  rows: number;
  profiles: ColumnProfile[];
  /** Rows that repeat an earlier row exactly (over the whole dataset). */
  duplicates: number;
}

const num = (v: unknown): number => (v === null || v === undefined ? NaN : Number(v));

/** SQL for a cell as text: DuckDB's text of the value, dates in ISO 8601, nested values as JSON. */
function asText(column: string, type: string, missing: readonly string[]): string {
  let raw = `CAST(${column} AS VARCHAR)`;
  if (/^(STRUCT|MAP|UNION)|\[\]$|^JSON$/.test(type)) raw = `CAST(to_json(${column}) AS VARCHAR)`;
  else if (/^TIMESTAMP/.test(type)) raw = `strftime(${column}, '%Y-%m-%dT%H:%M:%S')`;
  const trimmed = `trim(${raw}, ${SPACE})`;
  const tokens = [...new Set(missing.map((t) => t.trim().toLowerCase()).concat(['']))];
  return `CASE WHEN lower(${trimmed}) IN (${tokens.map(literal).join(', ')}) THEN NULL ELSE ${trimmed} END`;
}

const numberFrom = (text: string) => `TRY_CAST(CASE WHEN regexp_full_match(${text}, '${NUMBER_RE}') THEN ${text} END AS DOUBLE)`;

/** Decide each column's kind from one pass of counts; every column of `table`, in order. */
export async function planColumns(connection: Connection, table: string, missing: readonly string[]): Promise<{ plans: ColumnPlan[]; rows: number }> {
  const described = (await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE ${ident(table)})`)).getRowsJson() as [string, string][];
  const first: ColumnPlan[] = described.map(([name, type]) => {
    const q = ident(name);
    if (NUMERIC_TYPES.test(type)) {
      // As text (used when infinities make it a text column): whole numbers without ".0", as JavaScript writes them.
      const shortest = `CASE WHEN ${q} = trunc(${q}) AND abs(${q}) < 1e15 THEN CAST(CAST(${q} AS BIGINT) AS VARCHAR) ELSE CAST(${q} AS VARCHAR) END`;
      return { name, kind: 'number', value: `CAST(${q} AS DOUBLE)`, text: asText(`(${shortest})`, 'VARCHAR', missing) };
    }
    const text = asText(q, type, missing);
    return { name, kind: 'text', value: numberFrom(text), text };
  });
  const parts = first.map((p) =>
    p.kind === 'number'
      ? `struct_pack(present := count(${p.value}), inf := count(*) FILTER (WHERE isinf(${p.value})))`
      : `struct_pack(present := count(${p.text}), numbers := count(${p.value}), others := approx_count_distinct(${p.text}) FILTER (WHERE ${p.value} IS NULL))`,
  );
  const [row] = (await connection.runAndReadAll(`SELECT count(*), ${parts.join(', ')} FROM ${ident(table)}`)).getRowsJson() as unknown[][];
  const rows = num(row[0]);
  const plans = first.map((p, i): ColumnPlan => {
    const r = row[i + 1];
    if (p.kind === 'number') {
      // Infinities are cells that are not numbers, as in the JavaScript reader: stray cells, or a text column when many.
      const { present, inf } = r as { present: string; inf: string };
      if (num(inf) === 0) return p;
      return { ...p, kind: num(inf) <= 0.1 * num(present) ? 'mixed' : 'text', value: numberFrom(p.text) };
    }
    const { present, numbers, others } = r as { present: string; numbers: string; others: string };
    const nPresent = num(present);
    const nNumbers = num(numbers);
    const mixed = nNumbers > 0 && num(others) <= 3 && nPresent - nNumbers <= 0.1 * nPresent;
    return mixed ? { ...p, kind: 'mixed' } : p;
  });
  return { plans, rows };
}

interface Aggregates {
  present: number;
  distinct: number;
  min?: number;
  max?: number;
  mean?: number;
  std?: number;
  integer?: boolean;
  chars?: number;
}

/** Statistics of every column and the duplicate count, over the whole table. */
export async function profileColumns(
  connection: Connection,
  table: string,
  plans: ColumnPlan[],
  rows: number,
  options: { histograms: boolean },
): Promise<EngineStats> {
  const t = ident(table);
  const parts = plans.map((p) =>
    p.kind === 'text'
      ? `struct_pack(present := count(${p.text}), nd := approx_count_distinct(${p.text}), chars := sum(length(${p.text})))`
      : `struct_pack(present := count(${p.value}), nd := approx_count_distinct(${p.value}), min := min(${p.value}), max := max(${p.value}), ` +
        `mean := avg(${p.value}), std := stddev_pop(${p.value}), whole := min(${p.value} = trunc(${p.value})))`,
  );
  const key = `hash(${plans.map((p) => (p.kind === 'text' ? p.text : `${p.value}, ${p.kind === 'mixed' ? p.text : 'NULL'}`)).join(', ')})`;
  const [row] = (await connection.runAndReadAll(`SELECT ${parts.join(', ')}, count(*) - count(DISTINCT ${key}) FROM ${t}`)).getRowsJson() as unknown[][];
  const aggregates = plans.map((_, i) => {
    const r = row[i] as Record<string, unknown>;
    return {
      present: num(r.present),
      distinct: num(r.nd),
      min: num(r.min),
      max: num(r.max),
      mean: num(r.mean),
      std: num(r.std),
      integer: r.whole === null || r.whole === undefined ? true : Boolean(r.whole),
      chars: num(r.chars),
    } satisfies Aggregates;
  });
  const duplicates = num(row[plans.length]);
  const profiles: ColumnProfile[] = [];
  for (let i = 0; i < plans.length; i++) profiles.push(await profileOne(connection, t, plans[i], aggregates[i], rows, options));
  return { rows, profiles, duplicates };
}

async function rowsOf(connection: Connection, sql: string): Promise<unknown[][]> {
  return (await connection.runAndReadAll(sql)).getRowsJson() as unknown[][];
}

async function profileOne(connection: Connection, t: string, plan: ColumnPlan, a: Aggregates, rows: number, options: { histograms: boolean }): Promise<ColumnProfile> {
  if (plan.kind === 'text') {
    if (a.present === 0 || a.distinct <= GROUP_LIMIT) {
      // Every distinct value with its count: the JavaScript profile of those cells gives the same type and top values.
      const groups = await rowsOf(connection, `SELECT ${plan.text} AS tw_v, count(*) FROM ${t} WHERE tw_v IS NOT NULL GROUP BY tw_v`);
      const counts = new Map(groups.map(([v, n]) => [String(v), num(n)]));
      const present = [...counts.values()].reduce((s, n) => s + n, 0);
      const base = profileColumn(plan.name, columnFromCells([]));
      return { ...base, type: textTypeOf(counts, present), missing: rows - present, distinct: counts.size, top: topCounts(counts), rows };
    }
    const [[dates, top]] = await rowsOf(
      connection,
      `SELECT count(*) FILTER (WHERE regexp_full_match(${plan.text}, '${DATE_RE}') AND TRY_CAST(replace(${plan.text}, '/', '-') AS TIMESTAMP) IS NOT NULL), ` +
        `(SELECT list(struct_pack(v := tw_v, n := tw_n)) FROM (SELECT ${plan.text} AS tw_v, count(*) AS tw_n FROM ${t} WHERE tw_v IS NOT NULL GROUP BY tw_v ORDER BY tw_n DESC, tw_v LIMIT 10)) FROM ${t}`,
    );
    const present = a.present;
    const type = present > 0 && num(dates) / present >= 0.9 ? 'datetime' : present >= 20 && (a.chars ?? 0) / present > 30 && a.distinct / present > 0.5 ? 'text' : 'categorical';
    const topList = ((top as { v: string; n: string }[] | null) ?? []).map(({ v, n }) => ({ value: String(v), count: num(n) }));
    return { ...emptyText(plan.name), type, missing: rows - present, distinct: a.distinct, top: topList, rows };
  }
  // Number and mixed columns.
  const present = a.present;
  let distinct = a.distinct;
  let top: Array<{ value: string; count: number }> = [];
  if (distinct <= GROUP_LIMIT) {
    const groups = await rowsOf(
      connection,
      `SELECT tw_v, tw_n, count(*) OVER () FROM (SELECT ${plan.value} AS tw_v, count(*) AS tw_n FROM ${t} WHERE tw_v IS NOT NULL GROUP BY tw_v) ORDER BY tw_n DESC, tw_v LIMIT 10`,
    );
    distinct = groups.length > 0 ? num(groups[0][2]) : 0;
    top = groups.map(([v, n]) => ({ value: String(num(v)), count: num(n) }));
  }
  let invalid: ColumnProfile['invalid'] = [];
  let invalidCount = 0;
  if (plan.kind === 'mixed') {
    const where = `${plan.text} IS NOT NULL AND ${plan.value} IS NULL`;
    const counts = await rowsOf(connection, `SELECT ${plan.text} AS tw_v, count(*) FROM ${t} WHERE ${where} GROUP BY tw_v`);
    invalidCount = counts.reduce((s, [, n]) => s + num(n), 0);
    distinct += counts.length;
    top = mergeTop(top, counts.map(([v, n]) => ({ value: String(v), count: num(n) })));
    const first = await rowsOf(connection, `SELECT rowid, ${plan.text} FROM ${t} WHERE ${where} ORDER BY rowid LIMIT 20`);
    // row: the row of the whole dataset; line: its file line (header = line 1, one line per record).
    invalid = first.map(([r, v]) => ({ row: num(r), line: num(r) + 2, value: String(v) }));
  }
  const min = present > 0 ? a.min! : Infinity;
  const max = present > 0 ? a.max! : -Infinity;
  const histogram = options.histograms && present > 0 ? await histogramOf(connection, t, plan.value, min, max) : null;
  const integer = a.integer ?? true;
  return {
    name: plan.name,
    type: integer ? 'integer' : 'numeric',
    missing: rows - present - invalidCount,
    distinct,
    min,
    max,
    mean: present > 0 ? a.mean! : 0,
    std: present > 0 ? a.std! : 0,
    top,
    histogram,
    invalid,
    invalidCount,
    integer,
    rows,
  };
}

function emptyText(name: string): ColumnProfile {
  return profileColumn(name, columnFromCells([]));
}

/** The 10 largest counts, ties by value (ascending), as schema.ts orders them. */
function topCounts(counts: Map<string, number>): Array<{ value: string; count: number }> {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, 10)
    .map(([value, count]) => ({ value, count }));
}

function mergeTop(a: Array<{ value: string; count: number }>, b: Array<{ value: string; count: number }>) {
  return topCounts(new Map([...a, ...b].map((e) => [e.value, e.count])));
}

/** Equal-width bins between min and max, as schema.ts's histogram(), counted by DuckDB. */
async function histogramOf(connection: Connection, t: string, value: string, min: number, max: number): Promise<{ edges: number[]; counts: number[] }> {
  if (!(max > min)) {
    const [[n]] = await rowsOf(connection, `SELECT count(${value}) FROM ${t}`);
    return { edges: [min, max], counts: [num(n)] };
  }
  const bins = HISTOGRAM_BINS;
  const scale = bins / (max - min);
  const groups = await rowsOf(connection, `SELECT least(${bins - 1}, floor((${value} - (${min})) * ${scale}))::INTEGER AS tw_bin, count(*) FROM ${t} WHERE ${value} IS NOT NULL GROUP BY tw_bin`);
  const counts = new Array<number>(bins).fill(0);
  for (const [b, n] of groups) counts[num(b)] = num(n);
  return { edges: Array.from({ length: bins + 1 }, (_, i) => min + (i * (max - min)) / bins), counts };
}

