/**
 * The renderer's state classes (Svelte 5 runes in .svelte.ts), driven through a fake API: what
 * they send, what they keep from events, and what they ignore.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelState, MODEL_PRESETS } from '../../renderer/features/model/model.svelte';
import { TrainingSettings, defaultLr } from '../../renderer/features/training/settings.svelte';
import { RunPlanResource } from '../../renderer/features/training/run-plan.svelte';
import { LiveRun, MAX_BATCH_POINTS } from '../../renderer/features/live/live-run.svelte';
import { Box } from '../helpers/box.svelte';
import { DataState } from '../../renderer/features/data/data.svelte';
import { CompareState } from '../../renderer/features/compare/compare.svelte';
import { ErrorBanner } from '../../renderer/lib/errors.svelte';
import { modelSpecSchema, runConfigInputSchema } from '../../shared/run-config';
import { summarizeNetwork } from '../../shared/network';
import type { DatasetSummary, EpochRecord, RunPlan, RunRow, RunSummary, Surface } from '../../shared/contract';
import { fakeApi } from '../helpers/fake-api';

const plan = (trainable: number): RunPlan => ({
  task: 'binary',
  features: ['a'],
  inputs: ['a'],
  labels: ['0', '1'],
  network: { rows: [], trainable, nonTrainable: 0 },
  rows: { train: 10, validation: 2, test: 2 },
  batchSize: 10,
  epochs: 1,
  stepsPerEpoch: 1,
  totalSteps: 1,
});

describe('ModelState', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts from a preset and edits layers; the spec it writes is valid and describes the edited network', () => {
    const model = new ModelState();
    expect(model.layers.map((l) => l.units)).toEqual(MODEL_PRESETS['two layers 64-64'].layers.map((l) => l.units));
    model.applyPreset('logistic regression');
    expect(model.layers).toHaveLength(0);
    model.addLayer();
    expect(model.layers[0].units).toBe(32);
    model.layers[0].activation = 'tanh';
    model.layers[0].dropout = 0.25;
    model.addLayer(); // copies the layer before it, at half its units
    expect(model.layers[1]).toMatchObject({ units: 16, activation: 'tanh', dropout: 0.25 });
    model.layers[1].batchNorm = true;
    model.moveLayer(1, -1);
    expect(model.layers.map((l) => l.units)).toEqual([16, 32]);
    expect(model.preset).toBe('');
    model.moveLayer(0, -1); // out of range: nothing moves
    expect(model.layers.map((l) => l.units)).toEqual([16, 32]);

    const spec = modelSpecSchema.parse(model.spec());
    const summary = summarizeNetwork(spec, 'binary', 3, 2);
    expect(summary.rows.map((r) => r.name)).toEqual(['input', 'dense_1', 'bn_1', 'dropout_1', 'dense_2', 'dropout_2', 'output']);
    model.removeLayer(0);
    expect(model.spec().hidden).toEqual([{ units: 32, activation: 'tanh', dropout: 0.25, batchNorm: false, l1: 0, l2: 0 }]);
  });

  it('a cleared number field becomes 0 in the spec, and a cleared size is left for the service to name', () => {
    const model = new ModelState();
    model.layers[0].dropout = NaN;
    model.layers[1].units = NaN;
    const spec = model.spec();
    expect(spec.hidden?.[0]).toMatchObject({ dropout: 0 });
    expect(modelSpecSchema.safeParse(spec).success).toBe(false);
  });

});

describe('RunPlanResource', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks for one plan after a burst of changes to what its sources read, and keeps only the latest answer', async () => {
    const answers: Array<(p: RunPlan) => void> = [];
    const fake = fakeApi({ planRun: () => new Promise((resolve) => answers.push(resolve)) });
    const epochs = new Box(1);
    const resource = new RunPlanResource(fake.api, { datasetId: () => 'ds', config: () => ({ target: 'y', epochs: epochs.value }) });
    // In the app an effect calls refresh() on every change; effects do not run under Vitest's
    // server-side compile (sveltejs/svelte#16092), so the test calls it as the effect would.
    for (let i = 1; i <= 6; i++) {
      epochs.value = i;
      resource.refresh();
    }
    await vi.advanceTimersByTimeAsync(300);
    const calls = () => fake.calls.filter((c) => c.method === 'planRun');
    expect(calls()).toHaveLength(1);
    expect(calls()[0].input).toMatchObject({ datasetId: 'ds', config: { epochs: 6 } });
    expect(resource.loading).toBe(true);
    epochs.value = 7;
    resource.refresh();
    await vi.advanceTimersByTimeAsync(300);
    expect(answers).toHaveLength(2);
    answers[1](plan(200));
    answers[0](plan(100)); // the older request answers last: it was aborted, so it is dropped
    await vi.runAllTimersAsync();
    expect(resource.current?.network.trainable).toBe(200);
    expect(resource.loading).toBe(false);
    resource.dispose();
  });

  it('keeps the service\'s message when a plan fails, and has no plan without a dataset', async () => {
    const fake = fakeApi({ planRun: async () => Promise.reject(new Error('batchSize 500 is larger than the 102 training rows')) });
    const dataset = new Box<string | null>('ds');
    const resource = new RunPlanResource(fake.api, { datasetId: () => dataset.value, config: () => ({ target: 'y' }) }, 0);
    resource.refresh();
    await vi.runAllTimersAsync();
    expect(resource.current).toBeNull();
    expect(resource.error).toContain('batchSize 500');
    dataset.value = null;
    resource.refresh();
    expect(resource.error).toBeNull();
    expect(resource.loading).toBe(false);
    resource.dispose();
  });
});

describe('TrainingSettings and LiveRun', () => {
  const progress = (runId: string, step: number) => ({ runId, step, totalSteps: 10_000, epoch: 1, epochs: 1, loss: 1 / step, lr: 0.01, gradNorm: 1, stepsPerSecond: 100, samplesPerSecond: 3200 });

  it('builds the run config from its settings, the model panel and the data panel', () => {
    const training = new TrainingSettings({ modelSpec: () => ({ hidden: [8] }), dataInputs: () => ({ preprocessing: { scale: 'robust' } }) });
    training.optimizer = 'adamw';
    training.lr = 0.002;
    training.warmupSteps = 50;
    training.epochs = null;
    const config = training.config('label');
    expect(config).toMatchObject({
      target: 'label',
      model: { hidden: [8] },
      preprocessing: { scale: 'robust' },
      optimizer: { name: 'adamw', lr: 0.002 },
      schedule: { kind: 'constant', warmupSteps: 50 },
      epochs: undefined,
    });
  });

  it('sends the optimizer\'s own hyperparameters, and the advanced settings, in a config the schema accepts', () => {
    const training = new TrainingSettings({ modelSpec: () => ({}), dataInputs: () => ({}) });
    training.chooseOptimizer('rmsprop');
    expect(training.hyperparameters).toMatchObject({ rho: 0.99, centered: false });
    training.hyperparameters.rho = 0.9;
    training.hyperparameters.centered = true;
    training.hyperparameters.epsilon = NaN; // a cleared field: its default is sent
    training.earlyStopping = false;
    training.clipNorm = 1;
    training.clipValue = 0; // 0: off
    training.reduceOnPlateau = true;
    training.plateauFactor = 0.2;
    training.accumulationSteps = 4;
    const config = runConfigInputSchema.parse(training.config('y'));
    expect(config.optimizer).toEqual({ name: 'rmsprop', lr: 0.01, rho: 0.9, epsilon: 1e-8, momentum: 0, centered: true, weightDecay: 0 });
    expect(config.earlyStopping).toBeNull();
    expect(config.clipNorm).toBe(1);
    expect(config.clipValue).toBeNull();
    expect(config.reduceOnPlateau).toMatchObject({ factor: 0.2, patience: 5 });
    expect(config.accumulationSteps).toBe(4);
    training.chooseOptimizer('adamw');
    expect(training.hyperparameters).toMatchObject({ weightDecay: 0.01 });
    expect(runConfigInputSchema.parse(training.config('y')).optimizer).not.toHaveProperty('rho');
    training.earlyStopping = true;
    training.patience = 3;
    expect(training.config('y').earlyStopping).toEqual({ patience: 3 });
  });

  it('starts from the schema defaults, and a new optimizer brings its own default learning rate unless the LR was changed', () => {
    const training = new TrainingSettings({ modelSpec: () => ({}), dataInputs: () => ({}) });
    const parsed = runConfigInputSchema.parse({ target: 'y' });
    expect(training.optimizer).toBe(parsed.optimizer.name);
    expect(training.lr).toBe(parsed.optimizer.lr);
    expect(training.seed).toBe(parsed.seed);
    expect([training.validationShare, training.testShare]).toEqual([parsed.split.validation, parsed.split.test]);
    training.chooseOptimizer('sgd');
    expect(training.lr).toBe(defaultLr('sgd'));
    training.lr = 0.05;
    training.chooseOptimizer('adam');
    expect(training.lr).toBe(0.05);
  });

  it('sends the chosen schedule\'s own settings only', () => {
    const training = new TrainingSettings({ modelSpec: () => ({}), dataInputs: () => ({}) });
    training.schedule = 'step';
    training.scheduleParams.gamma = 0.1;
    training.scheduleParams.stepSize = 50;
    training.scheduleParams.finalLr = 0.5; // not a step-schedule setting: left out
    expect(training.config('y').schedule).toEqual({ kind: 'step', warmupSteps: 0, gamma: 0.1, stepSize: 50 });
    training.schedule = 'cosine';
    training.scheduleParams.finalLr = 1e-4;
    const parsed = runConfigInputSchema.parse(training.config('y'));
    expect(parsed.schedule).toMatchObject({ kind: 'cosine', finalLr: 1e-4, gamma: 0.5 });
  });

  it('a new run\'s surface switches to the axes chosen before, a response curve included, when the run has them', async () => {
    let n = 0;
    const fake = fakeApi({ startTraining: async () => { const runId = `r${++n}`; return { runId, runIds: [runId], groupId: null }; }, getRun: async () => ({ runId: `r${n}`, status: 'training', message: 'training', history: [] }) as unknown as RunSummary });
    const training = new LiveRun(fake.api, new ErrorBanner());
    const surface = (runId: string, columns: string[]) =>
      ({ runId, step: 1, epoch: 1, final: false, x: { name: columns[0], min: 0, max: 1 }, y: columns[1] ? { name: columns[1], min: 0, max: 1 } : null, size: 2, values: [0, 0, 0, 0], confidence: null, labels: ['a', 'b'], points: [], heldAt: {}, columns }) as Surface;
    await training.start('ds', { target: 'label' });
    fake.emit('training:surface', surface('r1', ['x1', 'x2']));
    await training.setSurfaceAxes('x2', null);
    expect(fake.calls.filter((c) => c.method === 'setSurfaceAxes').at(-1)?.input).toEqual({ runId: 'r1', x: 'x2', y: null });
    // The next run starts on its default axes; the curve along x2 is asked for again.
    await training.start('ds', { target: 'label' });
    fake.emit('training:surface', surface('r2', ['x1', 'x2', 'x3']));
    expect(fake.calls.filter((c) => c.method === 'setSurfaceAxes').at(-1)?.input).toEqual({ runId: 'r2', x: 'x2', y: null });
    // A run without that column keeps its defaults.
    const before = fake.calls.length;
    await training.start('ds', { target: 'label' });
    fake.emit('training:surface', surface('r3', ['a', 'b']));
    expect(fake.calls.slice(before).some((c) => c.method === 'setSurfaceAxes')).toBe(false);
  });

  it('shows another run (a race\'s) on request: its epochs, results, events and latest surface, then its live events', async () => {
    const record = (epoch: number) => ({ epoch, step: epoch * 10, train: { loss: 1 / epoch }, validation: { loss: 2 / epoch } }) as unknown as EpochRecord;
    const raceRun = { runId: 'race-2', status: 'completed', message: 'completed 2 epoch(s)', history: [record(1), record(2)], events: [{ kind: 'early-stop', step: 20, message: 'stopped' }], results: { epoch: 2 }, modelId: 'm2' } as unknown as RunSummary;
    const fake = fakeApi({ getRun: async ({ runId }) => (runId === 'race-2' ? raceRun : ({ runId, status: 'training', message: 'training', history: [], events: [] } as unknown as RunSummary)) });
    const training = new LiveRun(fake.api, new ErrorBanner());
    // Surfaces of runs not on show are kept, the latest per run.
    const surface = (step: number) => ({ runId: 'race-2', step, epoch: 1, final: step > 1, x: { name: 'x1', min: 0, max: 1 }, y: null, size: 2, values: [0, 1], confidence: null, labels: null, points: [], heldAt: {}, columns: ['x1'] }) as Surface;
    fake.emit('training:surface', surface(1));
    fake.emit('training:surface', surface(2));
    expect(training.surface).toBeNull();
    await training.follow('race-2');
    expect(training.runId).toBe('race-2');
    expect(training.status).toBe('completed');
    expect(training.modelId).toBe('m2');
    expect(training.validationLoss).toEqual([{ x: 10, y: 2 }, { x: 20, y: 1 }]);
    expect(training.events).toHaveLength(1);
    expect(training.results).toEqual({ epoch: 2 });
    expect(training.surface?.step).toBe(2);
    expect(training.batchLoss).toEqual([]);
    // From now on its events are the ones shown.
    fake.emit('training:epoch', { runId: 'race-2', record: record(3), epochs: 3 });
    expect(training.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
  });

  it('follows its own run only, thins the batch series, and shows a failure in the banner', async () => {
    const run: RunSummary = { runId: 'r1', status: 'failed', message: 'failed: loss became NaN at step 212 — try a lower learning rate', history: [] } as unknown as RunSummary;
    const fake = fakeApi({ startTraining: async () => ({ runId: 'r1', runIds: ['r1'], groupId: null }), getRun: async () => ({ ...run, status: 'training', message: 'training' }) });
    const errors = new ErrorBanner();
    const training = new LiveRun(fake.api, errors);
    await training.start('ds', { target: 'label' });
    expect(training.runId).toBe('r1');

    fake.emit('training:progress', progress('other-run', 1));
    expect(training.batchLoss).toHaveLength(0);
    const last = MAX_BATCH_POINTS + 1;
    for (let step = 1; step <= last; step++) fake.emit('training:progress', progress('r1', step));
    // One point past the cap: every other point is kept, oldest first.
    expect(training.batchLoss.length).toBeLessThanOrEqual(MAX_BATCH_POINTS);
    expect(training.batchLoss[0].x).toBe(1);
    expect(training.batchLoss[1].x).toBe(3);
    expect(training.progress?.step).toBe(last);

    const record = { epoch: 1, step: last, train: { loss: 0.5 }, validation: { loss: 0.6 } } as unknown as EpochRecord;
    fake.emit('training:epoch', { runId: 'r1', record, epochs: 1 });
    expect(training.validationLoss).toEqual([{ x: last, y: 0.6 }]);

    // A burst of epochs: the first at once, the rest together a moment later, each once and in order.
    for (let epoch = 2; epoch <= 200; epoch++) fake.emit('training:epoch', { runId: 'r1', record: { ...record, epoch, step: last + epoch }, epochs: 200 });
    expect(training.history.length).toBeLessThan(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(training.history.map((h) => h.epoch)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(training.validationLoss).toHaveLength(200);

    fake.emit('training:status', { runId: 'r1', status: 'failed', message: run.message, backend: null, modelId: null });
    expect(errors.message).toBe(run.message);
    expect(training.running).toBe(false);
  });
});

describe('DataState', () => {
  const summary: DatasetSummary = {
    id: 'ds1',
    name: 'customers',
    source: 'customers.csv',
    sha256: 'x',
    rows: 100,
    delimiter: ',',
    columns: ['id', 'age', 'city', 'notes', 'churned'].map((name) => ({
      name,
      type: name === 'notes' ? 'text' : name === 'city' ? 'categorical' : 'integer',
      missing: 0,
      distinct: name === 'churned' ? 2 : 50,
      min: null,
      max: null,
      mean: null,
      std: null,
      top: name === 'churned' ? [{ value: '0', count: 60 }, { value: '1', count: 40 }] : [],
      histogram: null,
      // As the service says: the renderer shows these, it does not work them out.
      asTarget: name === 'churned' ? 'binary' : name === 'age' ? 'regression' : 'multiclass',
      leftOut: name === 'id' ? 'identifier' : name === 'notes' ? 'free text' : null,
    })),
    preview: [],
    sample: null,
    suggestedTarget: 'churned',
    suggestedTask: 'binary',
    findings: [{ severity: 'warning', code: 'identifier', column: 'id', message: 'id looks like an identifier' }],
    changed: null,
    choices: null,
  } as DatasetSummary;

  it('leaves out what the check leaves out, lets a role override it, and sends only real choices', async () => {
    const fake = fakeApi({ openDataset: async () => summary, checkDataset: async () => [] });
    const data = new DataState(fake.api, new ErrorBanner());
    expect(await data.open({ kind: 'file', path: 'customers.csv' })).toBe(true);
    expect(data.target).toBe('churned');
    expect(data.task).toBe('binary');
    expect(data.features).toEqual(['age', 'city']);
    expect(data.leftOut).toEqual({ id: 'identifier', notes: 'free text' });
    data.target = 'age';
    expect(data.task).toBe('regression');
    expect(data.features).toEqual(['city', 'churned']);
    data.target = 'churned';
    data.setColumn('notes', { role: 'feature' });
    data.setColumn('age', { scale: 'minmax' });
    data.setColumn('age', { scale: undefined });
    expect(data.features).toEqual(['age', 'city', 'notes']);
    // Each choice re-runs the check with the features it implies.
    expect(fake.calls.filter((c) => c.method === 'checkDataset').at(-1)?.input).toMatchObject({ features: ['age', 'city', 'notes'] });
    expect(data.runInputs().preprocessing?.columns).toEqual({ notes: { role: 'feature' } });
    // The task: detected unless chosen; a choice is sent, and a new target goes back to automatic.
    expect(data.runInputs()).not.toHaveProperty('task');
    data.taskChoice = 'multiclass';
    expect([data.task, data.detectedTask, data.runInputs().task]).toEqual(['multiclass', 'binary', 'multiclass']);
    data.setTarget('age');
    expect([data.task, data.taskChoice]).toEqual(['regression', '']);
  });

  it('a file that fails to open leaves the open dataset as it was, with the reason in the banner', async () => {
    let fail = false;
    const fake = fakeApi({ openDataset: async () => (fail ? Promise.reject(new Error('File not found: x.csv')) : summary) });
    const errors = new ErrorBanner();
    const data = new DataState(fake.api, errors);
    await data.open({ kind: 'bundled', name: 'x' });
    fail = true;
    expect(await data.open({ kind: 'file', path: 'x.csv' })).toBe(false);
    expect(data.summary?.name).toBe('customers');
    expect(errors.message).toContain('File not found');
    expect(data.loading).toBe(false);
  });
});

describe('CompareState (the run table)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const row = (runId: string, over: Partial<RunRow> = {}): RunRow =>
    ({
      runId,
      seq: 1,
      name: `#1 ${runId}`,
      status: 'completed',
      message: '',
      datasetId: 'moons',
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
      network: '64 relu → 64 relu',
      parameters: 100,
      seed: 42,
      best: null,
      metrics: null,
      warnings: [],
      baselines: null,
      durationMs: 1000,
      stepsPerSecond: 100,
      backend: 'wasm',
      tags: [],
      notes: '',
      origin: 'local',
      modelId: `m-${runId}`,
      startedAt: '2026-12-01T00:00:00.000Z',
      finishedAt: null,
      ...over,
    }) as RunRow;

  it('selects the newest runs on the open dataset for the chart, fetches their curves, and extends them as epochs arrive', async () => {
    const history = [{ epoch: 1, step: 10, train: { loss: 1 }, validation: { loss: 1.1 } }] as EpochRecord[];
    const fake = fakeApi({ listRuns: async () => [row('a'), row('b', { datasetId: 'iris', datasetName: 'iris' })], getRun: async () => ({ history }) as unknown as RunSummary });
    const compare = new CompareState(fake.api, new ErrorBanner(), { currentDataset: () => 'moons' });
    await compare.refresh();
    await vi.runAllTimersAsync();
    expect([...compare.selected]).toEqual(['a']);
    expect(compare.listed.map((r) => r.runId)).toEqual(['a']);
    expect(compare.curves.get('a')).toEqual(history);
    fake.emit('training:epoch', { runId: 'a', record: { epoch: 2, step: 20, train: { loss: 0.5 }, validation: null }, epochs: 10 });
    fake.emit('training:epoch', { runId: 'a', record: { epoch: 3, step: 30, train: { loss: 0.4 }, validation: null }, epochs: 10 });
    expect(compare.curves.get('a')?.map((h) => h.epoch)).toEqual([1]); // a burst is one update, shortly after
    await vi.advanceTimersByTimeAsync(300);
    expect(compare.curves.get('a')?.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(compare.rows[0].epochsRun).toBe(3);
    compare.datasetScope = 'all';
    expect(compare.listed.map((r) => r.runId)).toEqual(['a', 'b']);
    await compare.select('a');
    expect(compare.selected.has('a')).toBe(false);
  });

  it('marks the best listed run on one dataset by the chosen validation metric', async () => {
    const m = (loss: number, accuracy: number) => ({ train: { loss, accuracy }, validation: { loss, accuracy }, test: null });
    const rows = [row('sgd', { metrics: m(0.5, 0.8) }), row('adam', { metrics: m(0.2, 0.9) }), row('rms', { metrics: m(0.3, 0.95) }), row('failed', { metrics: m(0.1, 0.99), modelId: null })];
    const compare = new CompareState(fakeApi({ listRuns: async () => rows }).api, new ErrorBanner(), { currentDataset: () => 'moons' });
    await compare.refresh();
    expect(compare.best).toBe('adam');
    compare.metric = 'accuracy';
    expect(compare.best).toBe('rms');
    compare.filter.optimizer = 'sgd';
    expect(compare.best).toBeNull(); // one run listed: nothing to compare
  });

  it('stops every running run of a race, and only those', async () => {
    const fake = fakeApi({
      listRuns: async () => [row('solo', { status: 'training' }), row('r1', { raceId: 'race', status: 'training' }), row('r2', { raceId: 'race', status: 'paused' }), row('r3', { raceId: 'race' })],
      stopTraining: async () => ({ ok: true }) as never,
    });
    const compare = new CompareState(fake.api, new ErrorBanner(), { currentDataset: () => 'moons' });
    await compare.refresh();
    expect(compare.racing.map((r) => r.runId)).toEqual(['r1', 'r2']);
    await compare.stopRace();
    expect(fake.calls.filter((c) => c.method === 'stopTraining').map((c) => c.input)).toEqual([{ runId: 'r1' }, { runId: 'r2' }]);
  });

  it('renames and deletes through the service, keeping the table in step', async () => {
    const fake = fakeApi({
      listRuns: async () => [row('a'), row('b')],
      updateRun: async ({ runId, name, tags }) => row(runId, { name: name!, tags: tags! }),
      deleteRun: async () => ({ deleted: true }),
    });
    const compare = new CompareState(fake.api, new ErrorBanner(), { currentDataset: () => 'moons' });
    await compare.refresh();
    compare.editing = 'a';
    expect(await compare.save('a', { name: 'baseline', tags: ['keep'] })).toBe(true);
    expect(compare.rows.find((r) => r.runId === 'a')).toMatchObject({ name: 'baseline', tags: ['keep'] });
    expect(compare.editing).toBeNull();
    expect(compare.tags).toEqual(['keep']);
    compare.filter.tag = 'keep';
    expect(compare.listed.map((r) => r.runId)).toEqual(['a']);
    await compare.remove('b');
    expect(compare.rows.map((r) => r.runId)).toEqual(['a']);
  });
});
