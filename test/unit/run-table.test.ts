/** The run table's rules on plain rows: sort by any column, filter, group races, columns that differ. */
import { describe, expect, it } from 'vitest';
import type { RunRow } from '../../shared/contract';
import { bestRun, cellText, COLUMNS, differingColumns, filterRows, groupBands, groupByRace, NO_FILTER, smoothPoints, sortRows } from '../../renderer/features/compare/run-table';

let seq = 0;
const row = (over: Partial<RunRow>): RunRow =>
  ({
    runId: `r${++seq}`,
    seq,
    name: `#${seq} adam lr 0.001`,
    status: 'completed',
    message: '',
    datasetId: 'd1',
    datasetName: 'moons',
    raceId: null,
    group: null,
    fold: null,
    task: 'binary',
    target: 'label',
    optimizer: 'adam',
    lr: 0.001,
    schedule: 'constant',
    warmupSteps: 0,
    batchSize: 32,
    epochs: 10,
    epochsRun: 10,
    network: '64 relu',
    parameters: 100,
    seed: 42,
    best: null,
    metrics: null,
    warnings: [],
    baselines: null,
    durationMs: 1000,
    stepsPerSecond: null,
    backend: 'wasm',
    tags: [],
    notes: '',
    origin: 'local',
    modelId: 'm',
    startedAt: `2026-12-01T00:00:${String(seq).padStart(2, '0')}.000Z`,
    finishedAt: null,
    ...over,
  }) as RunRow;

const val = (loss: number) => ({ train: { loss }, validation: { loss }, test: null });

describe('run table', () => {
  it('sorts by any column, numbers as numbers, missing values last either way', () => {
    const rows = [row({ lr: 0.1 }), row({ lr: 0.001 }), row({ lr: 0.01 }), row({ metrics: null, lr: 1 })];
    expect(sortRows(rows, 'lr', 'asc', 'loss').map((r) => r.lr)).toEqual([0.001, 0.01, 0.1, 1]);
    const withLoss = [row({ metrics: val(0.3) }), row({ metrics: null }), row({ metrics: val(0.1) })];
    expect(sortRows(withLoss, 'finalMetric', 'asc', 'loss').map((r) => r.metrics?.validation?.loss ?? null)).toEqual([0.1, 0.3, null]);
    expect(sortRows(withLoss, 'finalMetric', 'desc', 'loss').map((r) => r.metrics?.validation?.loss ?? null)).toEqual([0.3, 0.1, null]);
    // "run" sorts by run number, not alphabetically (#10 after #9).
    const named = [row({ seq: 10, name: '#10 x' }), row({ seq: 9, name: '#9 x' })];
    expect(sortRows(named, 'name', 'asc', 'loss').map((r) => r.seq)).toEqual([9, 10]);
  });

  it('filters by dataset, optimizer, status, tag and text', () => {
    const rows = [row({ optimizer: 'sgd', tags: ['keep'] }), row({ datasetId: 'd2', notes: 'tried warmup' }), row({ status: 'failed' })];
    expect(filterRows(rows, { ...NO_FILTER, optimizer: 'sgd' })).toHaveLength(1);
    expect(filterRows(rows, { ...NO_FILTER, dataset: 'd2' })[0].notes).toBe('tried warmup');
    expect(filterRows(rows, { ...NO_FILTER, status: 'failed' })).toHaveLength(1);
    expect(filterRows(rows, { ...NO_FILTER, tag: 'keep' })[0].optimizer).toBe('sgd');
    expect(filterRows(rows, { ...NO_FILTER, text: 'WARMUP' })).toHaveLength(1);
    expect(filterRows(rows, NO_FILTER)).toHaveLength(3);
  });

  it('groups a race under one header, foldable, where its first run sorts', () => {
    const rows = [row({}), row({ raceId: 'x' }), row({}), row({ raceId: 'x' }), row({ raceId: 'lonely' })];
    const items = groupByRace(rows, new Set());
    expect(items.map((i) => (i.kind === 'race' ? `race:${i.runs}` : i.row.runId))).toEqual([rows[0].runId, 'race:2', rows[1].runId, rows[3].runId, rows[2].runId, rows[4].runId]);
    const folded = groupByRace(rows, new Set(['x']));
    expect(folded.filter((i) => i.kind === 'run')).toHaveLength(3);
  });

  it('groups seed repeats and cross-validation folds with the mean ± sd of their validation metric (the CV final model not counted)', () => {
    const m = (accuracy: number) => ({ train: { loss: 0.1 }, validation: { loss: 0.2, accuracy }, test: null });
    const repeats = [0.9, 0.92, 0.94].map((a) => row({ group: { id: 'rep', kind: 'repeats' }, metrics: m(a) }));
    const folds = [0.8, 0.9].map((a, index) => row({ group: { id: 'cv', kind: 'cv' }, fold: { k: 2, index }, metrics: m(a) }));
    const final = row({ group: { id: 'cv', kind: 'cv' }, fold: { k: 2, index: null }, metrics: m(0.1) });
    const items = groupByRace([...repeats, ...folds, final], new Set(), 'accuracy');
    const headers = items.filter((i) => i.kind === 'race');
    expect(headers.map((h) => (h.kind === 'race' ? [h.group, h.runs] : null))).toEqual([['repeats', 3], ['cv', 3]]);
    const [rep, cv] = headers.map((h) => (h.kind === 'race' ? h.spread! : null)!);
    expect(rep.mean).toBeCloseTo(0.92, 12);
    expect(rep.sd).toBeCloseTo(0.02, 12); // sample sd of 0.90, 0.92, 0.94
    expect(cv).toMatchObject({ n: 2 });
    expect(cv.mean).toBeCloseTo(0.85, 12);
    expect(cv.sd).toBeCloseTo(Math.sqrt(0.005), 12);
  });

  it('draws a band of mean ± sd by epoch over seed repeats (epochs two runs reached), none for a race or a lone run', () => {
    const rows = [1, 2, 3].map(() => row({ group: { id: 'rep', kind: 'repeats' } }));
    const race = [row({ raceId: 'r', group: { id: 'r', kind: 'race' } }), row({ raceId: 'r', group: { id: 'r', kind: 'race' } })];
    const curve = (accs: number[]) => accs.map((accuracy, i) => ({ epoch: i + 1, train: { loss: 1 }, validation: { loss: 1, accuracy } }));
    const curves = new Map([
      [rows[0].runId, curve([0.5, 0.7, 0.9])],
      [rows[1].runId, curve([0.6, 0.8])],
      [rows[2].runId, curve([0.7, 0.9])],
      [race[0].runId, curve([0.1])],
      [race[1].runId, curve([0.2])],
    ]);
    const bands = groupBands([...rows, ...race], curves, 'accuracy');
    expect(bands).toHaveLength(1);
    const [band] = bands;
    expect(band).toMatchObject({ groupId: 'rep', kind: 'repeats', runs: 3 });
    expect(band.mean.map((p) => p.x)).toEqual([1, 2]); // epoch 3: one run only
    expect(band.mean[0].y).toBeCloseTo(0.6, 12);
    expect(band.upper[0].y - band.mean[0].y).toBeCloseTo(0.1, 12); // sd of 0.5, 0.6, 0.7
    expect(band.lower[1].y).toBeCloseTo(0.8 - 0.1, 12);
    expect(groupBands(rows.slice(0, 1), curves, 'accuracy')).toEqual([]);
  });

  it("smooths as TensorBoard does: a debiased moving average (the first point is itself), 0 leaves the curve alone", () => {
    const points = [1, 0, 1, 0].map((y, x) => ({ x, y }));
    expect(smoothPoints(points, 0)).toEqual(points);
    const s = smoothPoints(points, 0.5).map((p) => p.y);
    // last: 0.5, 0.25, 0.625, 0.3125; debiased by 1 − 0.5^n: 0.5, 0.75, 0.875, 0.9375
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(0.25 / 0.75, 12);
    expect(s[2]).toBeCloseTo(0.625 / 0.875, 12);
    expect(s[3]).toBeCloseTo(0.3125 / 0.9375, 12);
    expect(smoothPoints([{ x: 0, y: 2 }, { x: 1, y: NaN }, { x: 2, y: 2 }], 0.9).map((p) => p.y)).toEqual([2, NaN, expect.closeTo(2, 12)]);
  });

  it('shows the baselines beside the network, by the chosen metric, and the warnings', () => {
    const r = row({
      baselines: { constant: { validation: { loss: 0.69, accuracy: 0.62 }, test: null }, linear: { validation: { loss: 0.4, accuracy: 0.81 }, test: null } },
      warnings: [{ code: 'degenerate', check: 'single-class', message: 'predicts one class' }],
    });
    const col = (id: string) => COLUMNS.find((c) => c.id === id)!;
    expect(cellText(col('constantMetric'), r, 'accuracy')).toBe('0.6200');
    expect(cellText(col('linearMetric'), r, 'loss')).toBe('0.4000');
    expect(cellText(col('warnings'), r, 'loss')).toBe('single-class');
    expect(cellText(col('linearMetric'), row({}), 'loss')).toBe('—');
  });

  it('keeps only the columns whose values differ (and the run and its status)', () => {
    const rows = [row({ optimizer: 'sgd', lr: 0.1 }), row({ optimizer: 'adam', lr: 0.1 })];
    const differ = differingColumns(rows, 'loss');
    expect([...differ].sort()).toEqual(['name', 'optimizer', 'status']); // started in the same minute: the same to the eye
  });

  it('formats cells: missing as a dash, durations in seconds', () => {
    const time = COLUMNS.find((c) => c.id === 'duration')!;
    expect(cellText(time, row({ durationMs: 2500 }), 'loss')).toBe('2.5 s');
    expect(cellText(time, row({ durationMs: null }), 'loss')).toBe('—');
  });

  it("picks the best by the metric's direction, among runs with a model on one dataset", () => {
    const rows = [row({ metrics: { train: {}, validation: { loss: 0.3, accuracy: 0.9 }, test: null } }), row({ metrics: { train: {}, validation: { loss: 0.2, accuracy: 0.8 }, test: null } })];
    expect(bestRun(rows, 'loss', 'd1')).toBe(rows[1].runId);
    expect(bestRun(rows, 'accuracy', 'd1')).toBe(rows[0].runId);
    expect(bestRun(rows, 'loss', 'elsewhere')).toBeNull();
  });
});
