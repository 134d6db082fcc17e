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
 * Distinct counts are exact up to GROUP_LIMIT distinct values (a GROUP BY) and a hash-threshold
 * sketch's estimate beyond (see distinctSketch; HyperLogLog for held arrays); such columns list no most-frequent values for
 * numbers (one value per row of a measurement says nothing) and the exact top 10 for text.
 * Histograms are computed by the caller from the held values when they are every row (faster),
 * else here over the whole table.
 */
import { HISTOGRAM_BINS, profileColumn, textTypeOf, type ColumnProfile } from './schema.js';
import { parseNumberCell } from './numbers.js';
import { HyperLogLog } from './hyperloglog.js';
import { columnFromCells, MissingTokens, type Column } from './table.js';
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
  /** SQL: the cell as DuckDB has it, as text (no trimming or missing tokens applied). */
  raw: string;
  /**
   * For a column of at most GROUP_LIMIT distinct raw cells: each distinct raw cell, its count, and
   * what JavaScript makes of it (trimmed, missing, its number) — the exact rules of table.ts, and
   * much cheaper than string functions over every row in SQL.
   */
  groups?: RawGroups;
}

export interface RawGroups {
  raw: (string | null)[];
  counts: number[];
  /** Trimmed cell, null when missing (a missing token, or no cell). */
  text: (string | null)[];
  /** The number of the cell (numbers.ts), else null. */
  number: (number | null)[];
}

/** JavaScript's reading of each distinct raw cell: trimmed, missing tokens, numbers. */
function analyzeGroups(rows: unknown[][], missing: MissingTokens): RawGroups {
  const groups: RawGroups = { raw: [], counts: [], text: [], number: [] };
  for (const [raw, n] of rows) {
    const value = raw === null || raw === undefined ? null : String(raw);
    const trimmed = value === null ? '' : value.trim();
    const present = !missing.has(trimmed);
    groups.raw.push(value);
    groups.counts.push(num(n));
    groups.text.push(present ? trimmed : null);
    groups.number.push(present ? parseNumberCell(trimmed) : null);
  }
  return groups;
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

/** SQL: a cell as DuckDB's text of it — dates in ISO 8601, nested values as JSON. */
function rawText(column: string, type: string): string {
  if (type === 'VARCHAR') return column;
  if (/^(STRUCT|MAP|UNION)|\[\]$|^JSON$/.test(type)) return `CAST(to_json(${column}) AS VARCHAR)`;
  if (/^TIMESTAMP/.test(type)) return `strftime(${column}, '%Y-%m-%dT%H:%M:%S')`;
  return `CAST(${column} AS VARCHAR)`;
}

/** Decide each column's kind; every column of `table`, in order. */
export async function planColumns(
  connection: Connection,
  table: string,
  missing: readonly string[],
  options: { infinities?: boolean } = {},
): Promise<{ plans: ColumnPlan[]; rows: number }> {
  const t = ident(table);
  const described = (await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE ${t})`)).getRowsJson() as [string, string][];
  const first: ColumnPlan[] = described.map(([name, type]) => {
    const q = ident(name);
    if (NUMERIC_TYPES.test(type)) {
      // As text (used when infinities make it a text column): whole numbers without ".0", as JavaScript writes them.
      const raw = `(CASE WHEN ${q} = trunc(${q}) AND abs(${q}) < 1e15 THEN CAST(CAST(${q} AS BIGINT) AS VARCHAR) ELSE CAST(${q} AS VARCHAR) END)`;
      return { name, kind: 'number', value: `CAST(${q} AS DOUBLE)`, text: asText(raw, 'VARCHAR', missing), raw };
    }
    const text = asText(q, type, missing);
    return { name, kind: 'text', value: numberFrom(text), text, raw: rawText(q, type) };
  });
  // infinities: false — number columns are planned as numbers without a scan for ±infinity; the caller
  // checks their min and max afterwards (and plans again with them when one is infinite).
  const numbers = options.infinities === false ? [] : first.filter((p) => p.kind === 'number');
  const parts = numbers.map((p) => `struct_pack(present := count(${p.value}), inf := count(*) FILTER (WHERE isinf(${p.value})))`);
  const [row] = (await connection.runAndReadAll(`SELECT count(*)${parts.map((x) => `, ${x}`).join('')} FROM ${t}`)).getRowsJson() as unknown[][];
  const rows = num(row[0]);
  const tokens = new MissingTokens(missing);
  const plans: ColumnPlan[] = [];
  for (const p of first) {
    if (p.kind === 'number') {
      if (!numbers.includes(p)) {
        plans.push(p);
        continue;
      }
      // Infinities are cells that are not numbers, as in the JavaScript reader: stray cells, or a text column when many.
      const { present, inf } = row[1 + numbers.indexOf(p)] as { present: string; inf: string };
      plans.push(num(inf) === 0 ? p : { ...p, kind: num(inf) <= 0.1 * num(present) ? 'mixed' : 'text', value: numberFrom(p.text) });
      continue;
    }
    const found = await rowsOf(connection, `SELECT ${p.raw} AS tw_v, count(*) FROM ${t} GROUP BY tw_v LIMIT ${GROUP_LIMIT + 1}`);
    let present: number;
    let numeric: number;
    let others: number;
    let groups: RawGroups | undefined;
    if (found.length <= GROUP_LIMIT) {
      groups = analyzeGroups(found, tokens);
      const g = groups;
      present = g.text.reduce<number>((sum, v, k) => sum + (v === null ? 0 : g.counts[k]), 0);
      numeric = g.number.reduce<number>((sum, v, k) => sum + (v === null ? 0 : g.counts[k]), 0);
      others = new Set(g.text.filter((v, k) => v !== null && g.number[k] === null)).size;
    } else {
      const [[a, b, c]] = await rowsOf(
        connection,
        `SELECT count(${p.text}), count(${p.value}), approx_count_distinct(${p.text}) FILTER (WHERE ${p.value} IS NULL) FROM ${t}`,
      );
      [present, numeric, others] = [num(a), num(b), num(c)];
    }
    const mixed = numeric > 0 && others <= 3 && present - numeric <= 0.1 * present;
    plans.push({ ...p, kind: mixed ? 'mixed' : 'text', groups });
  }
  return { plans, rows };
}

/**
 * Distinct counts of columns not held in JavaScript: the distinct values whose 64-bit hash falls
 * below a threshold, kept for about THETA_KEPT of the rows, counted exactly and scaled up by
 * 2^64 / threshold (a theta sketch, Bar-Yossef et al. 2002). Relative error about 1 / √kept:
 * within 1.2% on the benchmark's 1,000,000-row columns of ~787,000 distinct values, where
 * DuckDB's approx_count_distinct was up to 22% off (it keeps few registers). Exact up to THETA_KEPT rows.
 */
const THETA_KEPT = 32_768;
const TWO_64 = 2n ** 64n;

function distinctThreshold(rows: number): bigint | null {
  return rows <= THETA_KEPT ? null : (TWO_64 * BigInt(THETA_KEPT)) / BigInt(rows);
}

/** SQL: the sketch's count of `value` (a distinct count when every row is kept). */
function distinctSketch(value: string, rows: number): string {
  const threshold = distinctThreshold(rows);
  if (threshold === null) return `count(DISTINCT ${value})`;
  return `count(DISTINCT hash(${value})) FILTER (WHERE ${value} IS NOT NULL AND hash(${value}) < ${threshold}::UBIGINT)`;
}

/** What the sketch's count is multiplied by. */
function distinctScale(rows: number): number {
  const threshold = distinctThreshold(rows);
  return threshold === null ? 1 : Number(TWO_64) / Number(threshold);
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

/** What profileColumns does with one column. */
interface ColumnWork {
  plan: ColumnPlan;
  /** Every row's numbers, held in JavaScript: its moments and histogram come from this array. */
  held: Float64Array | null;
  /** Known to hold a number that is not whole: the integer test is skipped. */
  fractional: boolean;
}

/** DuckDB's aggregates of a column that is neither grouped nor held: one struct per column. */
function aggregateSql({ plan, fractional }: ColumnWork): string {
  if (plan.kind === 'text') return `struct_pack(present := count(${plan.text}), chars := sum(length(${plan.text})))`;
  const v = plan.value;
  return `struct_pack(present := count(${v}), min := min(${v}), max := max(${v}), mean := avg(${v}), std := stddev_pop(${v}), whole := ${fractional ? 'false' : `min(${v} = trunc(${v}))`})`;
}

function aggregatesFrom(r: Record<string, unknown>, distinct: unknown, rows: number): Aggregates {
  return {
    present: num(r.present),
    distinct: Math.min(num(r.present), Math.round(num(distinct) * distinctScale(rows))),
    min: num(r.min),
    max: num(r.max),
    mean: num(r.mean),
    std: num(r.std),
    integer: r.whole === null || r.whole === undefined ? true : Boolean(r.whole),
    chars: num(r.chars),
  };
}

/** Statistics of every column and the duplicate count, over the whole table. */
export async function profileColumns(
  connection: Connection,
  table: string,
  plans: ColumnPlan[],
  rows: number,
  /**
   * held: columns holding every row (their moments come from the arrays); fractional: columns
   * already known to hold a number that is not whole (seen in rows held for the data check), whose
   * integer test is skipped.
   */
  options: { histograms: boolean; held?: Column[]; fractional?: boolean[] },
): Promise<EngineStats> {
  const t = ident(table);
  const work = plans.map((plan, i): ColumnWork => {
    const column = options.held?.[i];
    const held = plan.kind === 'number' && !plan.groups && column?.kind === 'number' ? column.values : null;
    return { plan, held, fractional: options.fractional?.[i] ?? false };
  });
  // Grouped columns are profiled from their groups, held ones from their arrays; the rest by DuckDB.
  const inSql = work.filter((w) => !w.plan.groups && !w.held);
  // Rows compared as DuckDB holds them (text cells untrimmed): a cheap hash of every column.
  const key = `hash(${plans.map((p) => (p.kind === 'number' ? p.value : p.raw)).join(', ')})`;
  // Three statements, not one: DuckDB runs a statement that mixes DISTINCT aggregates with plain ones
  // ~2× slower than the three apart (2.5 s against 1.2 s on the 1,000,000-row benchmark file).
  // DuckDB works on its threads while this thread goes over the held arrays.
  const pending = (async () => {
    const fromSql = new Map<ColumnWork, Aggregates>();
    if (inSql.length > 0) {
      const [plain] = (await connection.runAndReadAll(`SELECT ${inSql.map(aggregateSql).join(', ')} FROM ${t}`)).getRowsJson() as unknown[][];
      const sketches = inSql.map(({ plan }) => distinctSketch(plan.kind === 'text' ? plan.text : plan.value, rows));
      const [distinct] = (await connection.runAndReadAll(`SELECT ${sketches.join(', ')} FROM ${t}`)).getRowsJson() as unknown[][];
      inSql.forEach((w, k) => fromSql.set(w, aggregatesFrom(plain[k] as Record<string, unknown>, distinct[k], rows)));
    }
    const [[same]] = (await connection.runAndReadAll(`SELECT count(*) - count(DISTINCT ${key}) FROM ${t}`)).getRowsJson() as unknown[][];
    return { fromSql, duplicates: num(same) };
  })();
  // In slices, letting the event loop run between them: the process that holds the data also answers
  // requests, and all columns in one go held it ~0.5 s at 1,000,000 rows (npm run bench:responsive).
  const moments = new Map<ColumnWork, Awaited<ReturnType<typeof momentsOf>>>();
  for (const w of work) if (w.held) moments.set(w, await momentsOf(w.held));
  const { fromSql, duplicates } = await pending;
  const profiles: ColumnProfile[] = [];
  const wanted: number[] = [];
  for (const [i, w] of work.entries()) {
    const { plan } = w;
    const held = moments.get(w);
    const profile = plan.groups
      ? await profileGroups(connection, t, plan, plan.groups, rows)
      : await profileOne(connection, t, plan, held ?? fromSql.get(w)!, rows);
    if (held) profile.histogram = held.histogram;
    profiles.push(profile);
    if (options.histograms && plan.kind !== 'text' && !plan.groups && profile.min !== null && Number.isFinite(profile.min)) wanted.push(i);
  }
  if (wanted.length > 0) await histogramsOf(connection, t, wanted.map((i) => ({ plan: plans[i], profile: profiles[i] })));
  return { rows, profiles, duplicates };
}

/**
 * Count, min, max, mean, population std (two passes, as schema.ts), integer or not, a distinct
 * estimate (HyperLogLog, in the first pass) and the 20-bin histogram (in the second).
 */
/** Rows per slice of the moments' passes: the event loop runs between slices (~10 ms each). */
const MOMENT_SLICE = 131_072;
const breathe = () => new Promise((resolve) => setImmediate(resolve));

async function momentsOf(values: Float64Array): Promise<Aggregates & { histogram: { edges: number[]; counts: number[] } | null }> {
  let present = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let integer = true;
  const hll = new HyperLogLog();
  for (let start = 0; start < values.length; start += MOMENT_SLICE) {
    const end = Math.min(values.length, start + MOMENT_SLICE);
    for (let r = start; r < end; r++) {
      const v = values[r];
      if (v !== v) continue;
      present++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (integer && Math.floor(v) !== v) integer = false;
      hll.add(v);
    }
    await breathe();
  }
  const mean = present > 0 ? sum / present : 0;
  let squares = 0;
  const bins = HISTOGRAM_BINS;
  const counts = new Array<number>(bins).fill(0);
  const scale = max > min ? bins / (max - min) : 0;
  for (let start = 0; start < values.length; start += MOMENT_SLICE) {
    const end = Math.min(values.length, start + MOMENT_SLICE);
    for (let r = start; r < end; r++) {
      const v = values[r];
      if (v !== v) continue;
      squares += (v - mean) * (v - mean);
      counts[Math.min(bins - 1, Math.floor((v - min) * scale))]++;
    }
    await breathe();
  }
  const histogram =
    present === 0 ? null : max > min ? { edges: Array.from({ length: bins + 1 }, (_, i) => min + (i * (max - min)) / bins), counts } : { edges: [min, max], counts: [present] };
  return { present, distinct: hll.count(), min, max, mean, std: present > 0 ? Math.sqrt(squares / present) : 0, integer, histogram };
}

async function rowsOf(connection: Connection, sql: string): Promise<unknown[][]> {
  return (await connection.runAndReadAll(sql)).getRowsJson() as unknown[][];
}

async function profileOne(connection: Connection, t: string, plan: ColumnPlan, a: Aggregates, rows: number): Promise<ColumnProfile> {
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
  const histogram = null; // filled in by histogramsOf, one scan for every column
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

/** The profile of a column from its distinct raw cells and their counts, as schema.ts computes it from cells. */
async function profileGroups(connection: Connection, t: string, plan: ColumnPlan, g: RawGroups, rows: number): Promise<ColumnProfile> {
  const texts = new Map<string, number>();
  const numbers = new Map<number, number>();
  const stray = new Map<string, number>();
  const strayRaw: string[] = [];
  g.raw.forEach((raw, k) => {
    const text = g.text[k];
    if (text === null) return;
    const n = g.counts[k];
    texts.set(text, (texts.get(text) ?? 0) + n);
    const value = g.number[k];
    if (value !== null) numbers.set(value === 0 ? 0 : value, (numbers.get(value === 0 ? 0 : value) ?? 0) + n);
    else {
      stray.set(text, (stray.get(text) ?? 0) + n);
      strayRaw.push(raw!);
    }
  });
  if (plan.kind === 'text') {
    const present = [...texts.values()].reduce((a, b) => a + b, 0);
    return { ...emptyText(plan.name), type: textTypeOf(texts, present), missing: rows - present, distinct: texts.size, top: topCounts(texts), rows };
  }
  let present = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let integer = true;
  for (const [v, n] of numbers) {
    present += n;
    sum += v * n;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integer && Math.floor(v) !== v) integer = false;
  }
  const mean = present > 0 ? sum / present : 0;
  let squares = 0;
  for (const [v, n] of numbers) squares += n * (v - mean) * (v - mean);
  const counts = [...numbers.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 10);
  const top = mergeTop(
    counts.map(([v, n]) => ({ value: String(v), count: n })),
    [...stray.entries()].map(([value, count]) => ({ value, count })),
  );
  const invalidCount = [...stray.values()].reduce((a, b) => a + b, 0);
  let invalid: ColumnProfile['invalid'] = [];
  if (strayRaw.length > 0) {
    const first = await rowsOf(connection, `SELECT rowid, ${plan.raw} FROM ${t} WHERE ${plan.raw} IN (${strayRaw.map(literal).join(', ')}) ORDER BY rowid LIMIT 20`);
    invalid = first.map(([r, v]) => ({ row: num(r), line: num(r) + 2, value: String(v).trim() }));
  }
  // Equal-width bins over every row, from the counts (the held rows may be a sample).
  let histogram: ColumnProfile['histogram'] = null;
  if (present > 0) {
    if (!(max > min)) histogram = { edges: [min, max], counts: [present] };
    else {
      const binCounts = new Array<number>(HISTOGRAM_BINS).fill(0);
      const scale = HISTOGRAM_BINS / (max - min);
      for (const [v, n] of numbers) binCounts[Math.min(HISTOGRAM_BINS - 1, Math.floor((v - min) * scale))] += n;
      histogram = { edges: Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => min + (i * (max - min)) / HISTOGRAM_BINS), counts: binCounts };
    }
  }
  return {
    name: plan.name,
    type: integer ? 'integer' : 'numeric',
    missing: rows - present - invalidCount,
    distinct: numbers.size + stray.size,
    min,
    max,
    mean,
    std: present > 0 ? Math.sqrt(squares / present) : 0,
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

/**
 * Equal-width bins between min and max, as schema.ts's histogram(), counted by DuckDB for
 * several columns in one scan (DuckDB's histogram() of each column's bin number).
 */
async function histogramsOf(connection: Connection, t: string, columns: { plan: ColumnPlan; profile: ColumnProfile }[]): Promise<void> {
  const bins = HISTOGRAM_BINS;
  const parts = columns.map(({ plan, profile }) => {
    const { min, max } = profile as { min: number; max: number };
    if (!(max > min)) return `count(${plan.value})`;
    return `histogram(least(${bins - 1}, floor((${plan.value} - (${min})) * ${bins / (max - min)}))::INTEGER)`;
  });
  const [row] = await rowsOf(connection, `SELECT ${parts.join(', ')} FROM ${t}`);
  columns.forEach(({ profile }, i) => {
    const { min, max } = profile as { min: number; max: number };
    if (!(max > min)) {
      profile.histogram = { edges: [min, max], counts: [num(row[i])] };
      return;
    }
    const counts = new Array<number>(bins).fill(0);
    for (const { key, value } of (row[i] as { key: number; value: string }[] | null) ?? []) if (key !== null) counts[num(key)] = num(value);
    profile.histogram = { edges: Array.from({ length: bins + 1 }, (_, k) => min + (k * (max - min)) / bins), counts };
  });
}
