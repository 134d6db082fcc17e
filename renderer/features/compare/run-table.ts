/**
 * The run table's rules, as plain functions of the rows (no Svelte): its columns, sorting by any
 * of them, filtering by dataset / optimizer / status / tag / text, grouping by race, the columns
 * whose values differ among the rows shown, and the best run by a validation metric.
 */
import type { RunRow } from '../../../shared/contract.js';
import { HIGHER_IS_BETTER } from '../../../shared/monitor.js';
import { compact, fixed } from '../../lib/format.js';

/** The validation metric the table and the chart compare by. */
export type CompareMetric = 'loss' | 'accuracy' | 'f1' | 'auc' | 'r2' | 'rmse' | 'mae';

export interface Column {
  id: string;
  label: string;
  /** Right-aligned, sorted as numbers. */
  numeric?: boolean;
  /** Shown even when "only columns that differ" is on. */
  always?: boolean;
  value: (r: RunRow, metric: CompareMetric) => string | number | null;
  format?: (v: number) => string;
}

const f4 = (v: number) => fixed(v, 4);
const seconds = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);
const metricOf = (m: Record<string, number> | null | undefined, key: string) => (typeof m?.[key] === 'number' ? m[key] : null);

export const COLUMNS: Column[] = [
  { id: 'name', label: 'run', always: true, value: (r) => r.name },
  { id: 'dataset', label: 'data', value: (r) => r.datasetName },
  { id: 'status', label: 'status', always: true, value: (r) => r.status },
  { id: 'network', label: 'network', value: (r) => r.network },
  { id: 'parameters', label: 'params', numeric: true, value: (r) => r.parameters, format: (v) => v.toLocaleString() },
  { id: 'optimizer', label: 'optimizer', value: (r) => r.optimizer },
  { id: 'lr', label: 'lr', numeric: true, value: (r) => r.lr, format: (v) => compact(v) },
  { id: 'schedule', label: 'schedule', value: (r) => r.schedule.replace('_', ' ') },
  { id: 'warmup', label: 'warmup', numeric: true, value: (r) => r.warmupSteps },
  { id: 'batch', label: 'batch', numeric: true, value: (r) => r.batchSize },
  { id: 'epochs', label: 'epochs', numeric: true, value: (r) => r.epochsRun, format: (v) => String(v) },
  { id: 'bestEpoch', label: 'best epoch', numeric: true, value: (r) => r.best?.epoch ?? null },
  { id: 'bestMetric', label: 'best val', numeric: true, value: (r, m) => metricOf(r.best?.validation, m), format: f4 },
  { id: 'finalMetric', label: 'val', numeric: true, value: (r, m) => metricOf(r.metrics?.validation, m), format: f4 },
  { id: 'testMetric', label: 'test', numeric: true, value: (r, m) => metricOf(r.metrics?.test, m), format: f4 },
  { id: 'constantMetric', label: 'constant val', numeric: true, value: (r, m) => metricOf(r.baselines?.constant.validation, m), format: f4 },
  { id: 'linearMetric', label: 'linear val', numeric: true, value: (r, m) => metricOf(r.baselines?.linear.validation, m), format: f4 },
  { id: 'warnings', label: 'warnings', value: (r) => r.warnings.map((w) => w.check).join(', ') },
  { id: 'duration', label: 'time', numeric: true, value: (r) => r.durationMs, format: seconds },
  { id: 'stepsPerSecond', label: 'steps/s', numeric: true, value: (r) => r.stepsPerSecond, format: (v) => v.toFixed(0) },
  { id: 'backend', label: 'backend', value: (r) => r.backend },
  { id: 'seed', label: 'seed', numeric: true, value: (r) => r.seed },
  { id: 'tags', label: 'tags', value: (r) => r.tags.join(', ') },
  { id: 'startedAt', label: 'started', value: (r) => r.startedAt.slice(0, 16).replace('T', ' ') },
];

/** A column's header with the metric named (val loss, test accuracy). */
export function columnLabel(column: Column, metric: CompareMetric): string {
  const named: Record<string, string> = { bestMetric: 'best val', finalMetric: 'val', testMetric: 'test', constantMetric: 'constant baseline val', linearMetric: 'linear baseline val' };
  return named[column.id] ? `${named[column.id]} ${metric}` : column.label;
}

export function cellText(column: Column, r: RunRow, metric: CompareMetric): string {
  const v = column.value(r, metric);
  if (v === null || v === '') return '—';
  return typeof v === 'number' && column.format ? column.format(v) : String(v);
}

export interface RunFilter {
  dataset: string | null;
  optimizer: string | null;
  status: string | null;
  tag: string | null;
  /** Matched against the name, the notes and the tags. */
  text: string;
}

export const NO_FILTER: RunFilter = { dataset: null, optimizer: null, status: null, tag: null, text: '' };

export function filterRows(rows: readonly RunRow[], filter: RunFilter): RunRow[] {
  const text = filter.text.trim().toLowerCase();
  return rows.filter(
    (r) =>
      (filter.dataset === null || r.datasetId === filter.dataset) &&
      (filter.optimizer === null || r.optimizer === filter.optimizer) &&
      (filter.status === null || r.status === filter.status) &&
      (filter.tag === null || r.tags.includes(filter.tag)) &&
      (text === '' || r.name.toLowerCase().includes(text) || r.notes.toLowerCase().includes(text) || r.tags.some((t) => t.toLowerCase().includes(text))),
  );
}

/** Sorted by a column (missing values last, whichever the direction); ties keep the newest first. */
export function sortRows(rows: readonly RunRow[], columnId: string, direction: 'asc' | 'desc', metric: CompareMetric): RunRow[] {
  const column = COLUMNS.find((c) => c.id === columnId) ?? COLUMNS[0];
  const sign = direction === 'asc' ? 1 : -1;
  const keyed = rows.map((r, i) => ({ r, i, v: column.id === 'name' ? r.seq : column.value(r, metric) }));
  keyed.sort((a, b) => {
    if (a.v === null && b.v === null) return a.i - b.i;
    if (a.v === null) return 1;
    if (b.v === null) return -1;
    const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v));
    return c !== 0 ? sign * c : a.i - b.i;
  });
  return keyed.map((k) => k.r);
}

/**
 * Items of the table: the runs of a group — a race, seed repeats, cross-validation folds — together
 * under its header, in the order of its first (sorted) run. The header of seed repeats and folds gives
 * the mean ± sample sd of the validation metric over its runs (a cross-validation's final model, trained
 * on all the folds, is listed with them but not counted).
 */
export type TableItem =
  | { kind: 'race'; raceId: string; group: 'race' | 'repeats' | 'cv'; runs: number; folded: boolean; spread: { mean: number; sd: number; n: number } | null }
  | { kind: 'run'; row: RunRow; inRace: boolean };

const groupOf = (r: RunRow): { id: string; kind: 'race' | 'repeats' | 'cv' } | null => r.group ?? (r.raceId ? { id: r.raceId, kind: 'race' } : null);

export function meanSd(values: readonly number[]): { mean: number; sd: number; n: number } | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd, n: values.length };
}

export function groupByRace(rows: readonly RunRow[], folded: ReadonlySet<string>, metric: CompareMetric = 'loss'): TableItem[] {
  const groups = new Map<string, RunRow[]>();
  for (const r of rows) {
    const g = groupOf(r);
    if (g) groups.set(g.id, [...(groups.get(g.id) ?? []), r]);
  }
  const items: TableItem[] = [];
  const placed = new Set<string>();
  for (const r of rows) {
    const g = groupOf(r);
    if (!g || groups.get(g.id)!.length < 2) {
      items.push({ kind: 'run', row: r, inRace: false });
      continue;
    }
    if (placed.has(g.id)) continue;
    placed.add(g.id);
    const members = groups.get(g.id)!;
    const counted = g.kind === 'race' ? [] : members.filter((m) => !(m.fold && m.fold.index === null));
    const values = counted.map((m) => metricOf(m.metrics?.validation, metric)).filter((v): v is number => v !== null);
    items.push({ kind: 'race', raceId: g.id, group: g.kind, runs: members.length, folded: folded.has(g.id), spread: g.kind === 'race' ? null : meanSd(values) });
    if (!folded.has(g.id)) for (const m of members) items.push({ kind: 'run', row: m, inRace: true });
  }
  return items;
}

/**
 * TensorBoard's smoothing: an exponential moving average with weight `weight` (0: none, up to 0.99),
 * debiased so that the first points are not pulled towards zero. Non-finite points pass as they are.
 */
export function smoothPoints(points: readonly { x: number; y: number }[], weight: number): { x: number; y: number }[] {
  if (!(weight > 0)) return points.slice();
  const w = Math.min(weight, 0.999);
  let last = 0;
  let n = 0;
  return points.map((p) => {
    if (!Number.isFinite(p.y)) return { ...p };
    last = last * w + (1 - w) * p.y;
    n++;
    return { x: p.x, y: last / (1 - w ** n) };
  });
}

/** A seed-repeats (or cross-validation) group's curve: per epoch, the mean and sample sd over its runs that reached it. */
export interface GroupBand {
  groupId: string;
  kind: 'repeats' | 'cv';
  runs: number;
  mean: { x: number; y: number }[];
  upper: { x: number; y: number }[];
  lower: { x: number; y: number }[];
}

/**
 * Mean ± sd bands of the validation metric by epoch, for every seed-repeats or cross-validation group
 * with at least two of the given runs (a cross-validation's final model is not one of its folds).
 * An epoch counts only when at least two runs reached it.
 */
export function groupBands(rows: readonly RunRow[], curves: ReadonlyMap<string, readonly { epoch: number; train: Record<string, number>; validation: Record<string, number> | null }[]>, metric: CompareMetric): GroupBand[] {
  const groups = new Map<string, { kind: 'repeats' | 'cv'; runs: string[] }>();
  for (const r of rows) {
    if (!r.group || r.group.kind === 'race' || (r.fold && r.fold.index === null) || !curves.has(r.runId)) continue;
    const g = groups.get(r.group.id) ?? { kind: r.group.kind, runs: [] };
    g.runs.push(r.runId);
    groups.set(r.group.id, g);
  }
  const bands: GroupBand[] = [];
  for (const [groupId, g] of groups) {
    if (g.runs.length < 2) continue;
    const byEpoch = new Map<number, number[]>();
    for (const runId of g.runs) {
      for (const h of curves.get(runId)!) {
        const v = (h.validation ?? h.train)[metric];
        if (typeof v === 'number' && Number.isFinite(v)) byEpoch.set(h.epoch, [...(byEpoch.get(h.epoch) ?? []), v]);
      }
    }
    const band: GroupBand = { groupId, kind: g.kind, runs: g.runs.length, mean: [], upper: [], lower: [] };
    for (const epoch of [...byEpoch.keys()].sort((a, b) => a - b)) {
      const spread = meanSd(byEpoch.get(epoch)!);
      if (!spread || spread.n < 2) continue;
      band.mean.push({ x: epoch, y: spread.mean });
      band.upper.push({ x: epoch, y: spread.mean + spread.sd });
      band.lower.push({ x: epoch, y: spread.mean - spread.sd });
    }
    if (band.mean.length > 0) bands.push(band);
  }
  return bands;
}

/** The columns whose values are not all the same among the rows (the "always" ones too). */
export function differingColumns(rows: readonly RunRow[], metric: CompareMetric): Set<string> {
  const out = new Set(COLUMNS.filter((c) => c.always).map((c) => c.id));
  for (const column of COLUMNS) {
    if (out.has(column.id)) continue;
    const first = rows.length > 0 ? cellText(column, rows[0], metric) : null;
    if (rows.some((r) => cellText(column, r, metric) !== first)) out.add(column.id);
  }
  return out;
}

/**
 * The best run by a validation metric — its best epoch's value (the returned model's, after early
 * stopping), else its final — among runs on one dataset that have a model; null unless two or
 * more can be compared.
 */
export function bestRun(rows: readonly RunRow[], metric: CompareMetric, datasetId: string | null): string | null {
  const higher = HIGHER_IS_BETTER.has(metric);
  let winner: { runId: string; value: number } | null = null;
  let candidates = 0;
  for (const r of rows) {
    const v = metricOf(r.metrics?.validation, metric) ?? metricOf(r.best?.validation, metric);
    if (r.datasetId !== datasetId || !r.modelId || v === null || !Number.isFinite(v)) continue;
    candidates++;
    if (!winner || (higher ? v > winner.value : v < winner.value)) winner = { runId: r.runId, value: v };
  }
  return candidates >= 2 ? winner!.runId : null;
}
