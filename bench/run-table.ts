/**
 * The run table at 1,000 runs: a workspace with 1,000 stored runs (50 epochs, a step series and
 * events each), then the times a user waits for — opening the workspace, listing the run table
 * (run:list), and sorting / filtering / grouping it as the Compare step does — each the median of
 * several rounds. `npm run bench:runs` (-- --runs N to change the count).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RunSummary } from '../shared/contract.js';
import { Workspace } from '../service/workspace/workspace.js';
import { differingColumns, filterRows, groupByRace, NO_FILTER, sortRows } from '../renderer/features/compare/run-table.js';
import { runConfigInputSchema, type RunConfig } from '../shared/run-config.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', 1000);
const EPOCHS = 50;
const ROUNDS = 7;
const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop'] as const;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

const dir = mkdtempSync(join(tmpdir(), 'tickwork-bench-runs-'));
try {
  const fill = time(() => {
    const ws = Workspace.open(dir);
    for (let i = 0; i < RUNS; i++) {
      const optimizer = OPTIMIZERS[i % OPTIMIZERS.length];
      const parsed = runConfigInputSchema.parse({ target: 'churn', optimizer: { name: optimizer, lr: 10 ** -(1 + (i % 4)) }, seed: i });
      const config: RunConfig = { ...parsed, version: 1, task: 'binary', positiveClass: '1', threshold: 0.5, features: ['a', 'b', 'c'], batchSize: 32, epochs: EPOCHS, earlyStopping: null, dataset: { name: `data-${i % 7}.csv`, source: 'x', sha256: 'x', rows: 10000 }, testSource: null };
      const runId = `run-${String(i).padStart(5, '0')}-${Math.random().toString(16).slice(2, 10)}`;
      const summary = {
        runId,
        seq: 0,
        name: '',
        tags: i % 10 === 0 ? ['keep'] : [],
        notes: '',
        origin: 'local',
        datasetId: `d${i % 7}`,
        datasetName: `data-${i % 7}.csv`,
        status: 'training',
        message: 'training',
        config,
        backend: { name: 'wasm', detail: 'bench', fallbacks: [] },
        history: [],
        events: [],
        results: null,
        metrics: null,
        warnings: [],
        baselines: null,
        importance: null,
        versions: { tickwork: 'bench' },
        modelId: null,
        raceId: `race-${Math.floor(i / 5)}`,
        group: { id: `race-${Math.floor(i / 5)}`, kind: 'race' },
        parameters: 4353,
        startedAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
        finishedAt: null,
      } as RunSummary;
      ws.runs.insert(summary, null);
      for (let e = 1; e <= EPOCHS; e++) {
        const loss = 0.7 * Math.exp(-e / (10 + (i % 13))) + 0.1 + (i % 17) / 1000;
        const steps = Array.from({ length: 20 }, (_, k) => ({ step: (e - 1) * 20 + k + 1, loss, lr: 0.001, gradNorm: 1 }));
        ws.runs.commitEpoch(runId, { epoch: e, step: e * 20, train: { loss, accuracy: 1 - loss }, validation: { loss: loss * 1.1, accuracy: 1 - loss * 1.1 } }, steps, null);
      }
      ws.runs.finish(runId, {
        status: 'completed',
        message: `completed ${EPOCHS} epoch(s)`,
        finishedAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000 + 30_000).toISOString(),
        metrics: { train: { loss: 0.2 }, validation: { loss: 0.22 + (i % 17) / 1000 }, test: { loss: 0.23 } },
        results: null,
        modelId: null,
        best: { epoch: EPOCHS, train: { loss: 0.2 }, validation: { loss: 0.22 } },
        backend: summary.backend,
        versions: summary.versions,
        warnings: [],
        baselines: null,
      });
    }
    ws.close();
  });

  const opens: number[] = [];
  const lists: number[] = [];
  let rows = [] as ReturnType<Workspace['runs']['list']>;
  for (let r = 0; r < ROUNDS; r++) {
    const open = time(() => Workspace.open(dir));
    opens.push(open.ms);
    const list = time(() => open.value.runs.list());
    lists.push(list.ms);
    rows = list.value;
    open.value.close();
  }
  const payload = JSON.stringify(rows).length;
  const sorts = Array.from({ length: ROUNDS }, () => time(() => sortRows(rows, 'finalMetric', 'asc', 'loss')).ms);
  const filters = Array.from({ length: ROUNDS }, () => time(() => filterRows(rows, { ...NO_FILTER, dataset: 'd3', text: 'adam' })).ms);
  const groups = Array.from({ length: ROUNDS }, () => time(() => groupByRace(sortRows(rows, 'startedAt', 'desc', 'loss'), new Set())).ms);
  const differ = Array.from({ length: ROUNDS }, () => time(() => differingColumns(rows, 'loss')).ms);

  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  console.log(`run table benchmark: ${rows.length} runs × ${EPOCHS} epochs in the workspace (workspace.db ${mb(statSync(join(dir, 'workspace.db')).size)}; written in ${(fill.ms / 1000).toFixed(1)} s)`);
  console.log(`  open the workspace        ${median(opens).toFixed(1)} ms (median of ${ROUNDS})`);
  console.log(`  run:list (all rows)       ${median(lists).toFixed(1)} ms — ${(payload / 1024).toFixed(0)} KB of JSON to the page`);
  console.log(`  sort by validation loss   ${median(sorts).toFixed(2)} ms`);
  console.log(`  filter (dataset + text)   ${median(filters).toFixed(2)} ms`);
  console.log(`  sort + group by race      ${median(groups).toFixed(2)} ms`);
  console.log(`  columns that differ       ${median(differ).toFixed(2)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
