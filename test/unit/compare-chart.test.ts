/** Compare's chart data: x by epoch, step or wall time; runs without a recorded time left off by wall time and named. */
import { describe, expect, it } from 'vitest';
import type { EpochRecord, RunRow } from '../../shared/contract';
import { chartXLabel, compareChart, isChartX, type ChartX } from '../../renderer/features/compare/compare-chart';

const row = (seq: number, over: Partial<RunRow> = {}): RunRow => ({ runId: `r${seq}`, seq, name: `#${seq} adam`, group: null, fold: null, ...over }) as RunRow;
const epoch = (n: number, loss: number, elapsedS?: number | null): EpochRecord => ({ epoch: n, step: n * 10, train: { loss: loss + 0.1 }, validation: { loss }, ...(elapsedS === undefined ? {} : { elapsedS }) });
const PALETTE = ['#111111', '#222222'];
const chart = (rows: RunRow[], curves: Map<string, EpochRecord[]>, x: ChartX) => compareChart({ rows, curves, metric: 'loss', x, logY: false, smoothing: 0, palette: PALETTE });

describe('compareChart', () => {
  const timedRun = [epoch(1, 0.5, 0.4), epoch(2, 0.3, 0.9), epoch(3, 0.2, 1.5)];
  const oldRun = [epoch(1, 0.6, null), epoch(2, 0.4, null)];
  const rows = [row(1), row(2, { name: '#2 sgd (old)' })];
  const curves = new Map([
    ['r1', timedRun],
    ['r2', oldRun],
  ]);

  it('puts epoch, step or wall-clock seconds on x', () => {
    expect(chart(rows, curves, 'epoch').series[0].points).toEqual([{ x: 1, y: 0.5 }, { x: 2, y: 0.3 }, { x: 3, y: 0.2 }]);
    expect(chart(rows, curves, 'step').series[0].points.map((p) => p.x)).toEqual([10, 20, 30]);
    expect(chart(rows, curves, 'time').series[0].points).toEqual([{ x: 0.4, y: 0.5 }, { x: 0.9, y: 0.3 }, { x: 1.5, y: 0.2 }]);
  });

  it('by wall time, leaves off the runs whose epochs have no time (old workspaces, imports) and names them', () => {
    const byTime = chart(rows, curves, 'time');
    expect(byTime.series.map((s) => s.label)).toEqual(['#1 adam']);
    expect(byTime.untimed).toEqual(['#2 sgd (old)']);
    // An absent field is as unknown as null; by epoch or step every run is drawn and none is named.
    expect(chart([row(3)], new Map([['r3', [epoch(1, 0.5)]]]), 'time').untimed).toEqual(['#3 adam']);
    for (const x of ['epoch', 'step'] as const) {
      expect(chart(rows, curves, x).series.map((s) => s.label)).toEqual(['#1 adam', '#2 sgd (old)']);
      expect(chart(rows, curves, x).untimed).toEqual([]);
    }
  });

  it("moves a seed group's mean band to the seconds of its run that went furthest", () => {
    const group = { id: 'g', kind: 'repeats' as const, index: 0, size: 2 };
    const grouped = [row(4, { group }), row(5, { group })];
    const groupCurves = new Map([
      ['r4', [epoch(1, 0.5, 1), epoch(2, 0.3, 2)]],
      ['r5', [epoch(1, 0.7, 1.2), epoch(2, 0.5, 2.4), epoch(3, 0.4, 3.6)]],
    ]);
    const mean = chart(grouped, groupCurves, 'time').series.find((s) => s.label === 'mean of 2 seeds')!;
    // Epochs 1 and 2 (both runs reached them), at run r5's seconds.
    expect(mean.points.map((p) => p.x)).toEqual([1.2, 2.4]);
    expect(mean.points.map((p) => p.y)).toEqual([0.6, 0.4]);
  });

  it('names the axis and accepts only known choices (a saved view from another version)', () => {
    expect(chartXLabel('time')).toBe('wall time (s)');
    expect(isChartX('time')).toBe(true);
    expect(isChartX('wall')).toBe(false);
  });
});
