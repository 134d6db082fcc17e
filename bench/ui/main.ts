/**
 * The renderer under the load the brief names: a chart holding 100,000 steps, then progress at
 * 10 events/s, an epoch (metrics, results with ROC/PR, 2,000 scores and 600 prediction rows) every
 * second, and a 40×40 decision surface 4 times a second — through the real state classes and
 * components, with a synthetic API instead of the service (so only the page's own work is
 * measured). bench/ui-smoothness.mjs drives it and reads the long tasks.
 */
import { mount } from 'svelte';
import '../../renderer/styles.css';
import LivePanel from '../../renderer/features/live/LivePanel.svelte';
import ComparePanel from '../../renderer/features/compare/ComparePanel.svelte';
import { LiveRun } from '../../renderer/features/live/live-run.svelte';
import { RunTimeline } from '../../renderer/features/live/timeline.svelte';
import { CompareState } from '../../renderer/features/compare/compare.svelte';
import { ErrorBanner } from '../../renderer/lib/errors.svelte';
import { fakeApi } from '../../test/helpers/fake-api';
import type { EpochRecord, RunResults, RunRow, RunSummary } from '../../shared/contract';

const RUN = 'bench-run';
const PRELOAD_STEPS = 100_000;
const STEPS_PER_EPOCH = 1000;

const history: EpochRecord[] = [];
const run = (): RunSummary =>
  ({ runId: RUN, status: 'training', message: 'training', history, events: [], results: null, metrics: null, config: { optimizer: { name: 'adam', lr: 0.001 }, batchSize: 32, epochs: 500, model: { hidden: [64, 64], activation: 'relu', dropout: 0, batchNorm: false, l1: 0, l2: 0 } }, warnings: [], baselines: null, importance: null, versions: {}, group: null, modelId: null, raceId: null, parameters: 4353, backend: null }) as unknown as RunSummary;

const row = (): RunRow =>
  ({ runId: RUN, seq: 1, name: '#1 adam lr 0.001', status: 'training', message: 'training', datasetId: 'bench-data', datasetName: 'bench', raceId: null, group: null, fold: null, task: 'regression', target: 'y', optimizer: 'adam', lr: 0.001, schedule: 'constant', warmupSteps: 0, batchSize: 32, epochs: 500, epochsRun: history.length, network: '64-64 relu', parameters: 4353, seed: 42, best: null, metrics: null, warnings: [], baselines: null, durationMs: null, stepsPerSecond: null, backend: null, tags: [], notes: '', origin: 'local', modelId: null, startedAt: new Date(0).toISOString(), finishedAt: null }) as RunRow;

const fake = fakeApi({
  startTraining: async () => ({ runId: RUN, runIds: [RUN], groupId: null }),
  getRun: async () => run(),
  listRuns: async () => [row()],
  runSeries: async () => ({ steps: [], surface: null }),
});
const errors = new ErrorBanner();
const live = new LiveRun(fake.api, errors);
const compare = new CompareState(fake.api, errors, { currentDataset: () => 'bench-data' });

const app = document.getElementById('app')!;
app.className = 'layout';
app.style.gridTemplateColumns = '1fr';
mount(LivePanel, { target: app, props: { live, timeline: new RunTimeline(fake.api, errors), onExport: () => undefined } });
mount(ComparePanel, { target: app, props: { compare, onUse: () => undefined, onShow: () => undefined } });

let step = 0;
const lossAt = (s: number) => 0.3 + 0.7 * Math.exp(-s / 20_000) + 0.05 * Math.sin(s / 37);
const metrics = (s: number) => ({ loss: lossAt(s), accuracy: 0.9 - 0.3 * Math.exp(-s / 20_000), precision: 0.85, recall: 0.8, f1: 0.82, auc: 0.93 });

function progress(): void {
  step += 1;
  fake.emit('training:progress', { runId: RUN, step, totalSteps: 500_000, epoch: Math.ceil(step / STEPS_PER_EPOCH), epochs: 500, loss: lossAt(step), lr: 0.001, gradNorm: 1 + Math.sin(step), stepsPerSecond: 900, samplesPerSecond: 28_800 });
}

function epoch(): void {
  const record: EpochRecord = { epoch: Math.ceil(step / STEPS_PER_EPOCH), step, train: metrics(step), validation: metrics(step + 500) };
  history.push(record);
  fake.emit('training:epoch', { runId: RUN, record, epochs: 500 });
  const curve = Array.from({ length: 101 }, (_, i) => ({ x: i / 100, y: Math.min(1, Math.sqrt(i / 100) + 0.05 * Math.random()) }));
  const results: RunResults = {
    epoch: record.epoch,
    final: false,
    restored: false,
    split: 'validation',
    labels: ['no', 'yes'],
    results: { kind: 'classification', confusion: [[800, 100], [90, 410]], roc: curve, pr: curve.map((p) => ({ x: p.x, y: 1 - p.x / 2 })), scores: Array.from({ length: 2000 }, (_, i) => ({ x: Math.random(), y: i % 2 })) },
    predictions: {
      columns: ['age', 'plan', 'visits', 'spend'],
      total: 1400,
      errors: 190,
      rows: Array.from({ length: 600 }, (_, i) => ({ line: i + 2, values: [String(20 + (i % 50)), i % 3 ? 'basic' : 'pro', String(i % 17), (i * 3.7).toFixed(2)], actual: i % 2 ? 'yes' : 'no', predicted: i < 190 ? (i % 2 ? 'no' : 'yes') : i % 2 ? 'yes' : 'no', confidence: 0.5 + (i % 50) / 100, error: i < 190 })),
    },
  };
  fake.emit('training:results', { runId: RUN, results });
}

function surface(): void {
  const size = 40;
  const phase = step / 5000;
  const values = Array.from({ length: size * size }, (_, c) => 1 / (1 + Math.exp(-((c % size) - size / 2 + 10 * Math.sin(phase + Math.floor(c / size) / 8)) / 3)));
  fake.emit('training:surface', {
    runId: RUN, step, epoch: Math.ceil(step / STEPS_PER_EPOCH), final: false,
    x: { name: 'age', min: 18, max: 80 }, y: { name: 'spend', min: 0, max: 500 }, size, values, confidence: null, labels: ['no', 'yes'],
    points: Array.from({ length: 300 }, (_, i) => ({ x: 18 + ((i * 7) % 62), y: (i * 13) % 500, label: i % 2 })),
    heldAt: { plan: 'basic', visits: '4' }, columns: ['age', 'visits', 'spend'],
  });
}

/** Start the run and fill the charts with PRELOAD_STEPS steps (not measured). */
async function preload(): Promise<void> {
  await live.start('bench-data', { target: 'y' });
  await compare.refresh();
  for (let i = 0; i < PRELOAD_STEPS; i++) {
    progress();
    if (step % STEPS_PER_EPOCH === 0) epoch();
  }
  surface();
}

/** Stream at the brief's rates for `seconds`; resolves when done. */
function stream(seconds: number): Promise<void> {
  const timers = [setInterval(progress, 100), setInterval(epoch, 1000), setInterval(surface, 250)];
  return new Promise((resolve) =>
    setTimeout(() => {
      timers.forEach(clearInterval);
      resolve();
    }, seconds * 1000),
  );
}

(globalThis as unknown as { bench: object }).bench = {
  preload,
  stream,
  points: () => Number(document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points') ?? 0),
};
