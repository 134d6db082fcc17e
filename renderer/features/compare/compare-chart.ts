/**
 * Compare's chart as data: one line per selected run (its validation metric per epoch, else its
 * training one), and for seed repeats and cross-validation folds their mean (thick) and mean ± sd
 * (dashed). x is the epoch, the optimizer step, or the wall-clock seconds since training began (a
 * band's epochs become the steps or seconds of the group's run that went furthest). A log y keeps
 * only positive values; smoothing is TensorBoard's debiased moving average.
 *
 * By wall time, a run whose epochs carry no time (recorded before Tickwork kept it, or imported)
 * is left off the chart and named in `untimed`, so the panel can say so.
 */
import type { EpochRecord, RunRow } from '../../../shared/contract.js';
import type { Series } from '../../components/series.js';
import { groupBands, smoothPoints, type CompareMetric } from './run-table.js';

export type ChartX = 'epoch' | 'step' | 'time';

export const CHART_X: ReadonlyArray<{ value: ChartX; label: string }> = [
  { value: 'epoch', label: 'epoch' },
  { value: 'step', label: 'step' },
  { value: 'time', label: 'wall time (s)' },
];

export const chartXLabel = (x: ChartX): string => CHART_X.find((c) => c.value === x)!.label;

export function isChartX(value: unknown): value is ChartX {
  return CHART_X.some((c) => c.value === value);
}

export interface CompareChartInput {
  /** The selected runs, in the table's order. */
  rows: readonly RunRow[];
  curves: ReadonlyMap<string, readonly EpochRecord[]>;
  metric: CompareMetric;
  x: ChartX;
  logY: boolean;
  smoothing: number;
  palette: readonly string[];
}

export interface CompareChart {
  series: Series[];
  /** By wall time: the names of the selected runs left off because their epochs have no time. */
  untimed: string[];
}

/** An epoch's x, or null where it has none (wall time not recorded). */
function xOf(h: EpochRecord, x: ChartX): number | null {
  if (x === 'epoch') return h.epoch;
  if (x === 'step') return h.step;
  return typeof h.elapsedS === 'number' ? h.elapsedS : null;
}

const timed = (history: readonly EpochRecord[]) => history.length > 0 && history.every((h) => typeof h.elapsedS === 'number');

export function compareChart(input: CompareChartInput): CompareChart {
  const { rows, curves, metric, x, logY, smoothing, palette } = input;
  const drawn = (points: { x: number; y: number }[]) => smoothPoints(logY ? points.filter((p) => p.y > 0) : points, smoothing);
  const untimed = x === 'time' ? rows.filter((r) => curves.has(r.runId) && !timed(curves.get(r.runId)!)).map((r) => r.name) : [];
  const onChart = x === 'time' ? rows.filter((r) => !untimed.includes(r.name)) : rows;
  const bands = groupBands(rows, curves, metric);
  /** A group's epochs as x: those of its run that went furthest (not a cross-validation's final model, which is not a fold). */
  const xByEpochOf = (groupId: string) => {
    const runs = onChart.filter((r) => r.group?.id === groupId && !(r.fold && r.fold.index === null) && curves.has(r.runId));
    const run = runs.sort((a, b) => curves.get(b.runId)!.length - curves.get(a.runId)!.length)[0];
    const map = new Map<number, number>();
    for (const h of run ? curves.get(run.runId)! : []) {
      const at = xOf(h, x);
      if (at !== null) map.set(h.epoch, at);
    }
    return map;
  };
  const series: Series[] = [
    ...onChart.map((r) => ({
      label: r.name,
      color: palette[(r.seq - 1) % palette.length],
      width: bands.length > 0 ? 1 : undefined,
      points: drawn(
        (curves.get(r.runId) ?? [])
          .map((h) => ({ x: xOf(h, x), y: (h.validation ?? h.train)[metric] }))
          .filter((p): p is { x: number; y: number } => typeof p.y === 'number' && p.x !== null),
      ),
    })),
    ...bands.flatMap((b) => {
      const what = b.kind === 'cv' ? `${b.runs} folds` : `${b.runs} seeds`;
      const xs = x === 'epoch' ? null : xByEpochOf(b.groupId);
      if (xs && xs.size === 0) return [];
      const at = (points: { x: number; y: number }[]) => drawn(xs ? points.flatMap((p) => (xs.has(p.x) ? [{ x: xs.get(p.x)!, y: p.y }] : [])) : points);
      return [
        { label: `mean of ${what}`, color: '#333333', width: 3, points: at(b.mean) },
        { label: `mean + sd (${what})`, color: '#333333', width: 1, dashed: true, points: at(b.upper) },
        { label: `mean − sd (${what})`, color: '#333333', width: 1, dashed: true, points: at(b.lower) },
      ];
    }),
  ];
  return { series, untimed };
}
