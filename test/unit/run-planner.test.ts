/**
 * The run planner is pure: a training request on an open dataset becomes a complete RunConfig
 * (one pass, nothing left to fill in), its plan and its encoded parts — no worker involved.
 */
import { describe, expect, it } from 'vitest';
import { requests } from '../../shared/contract';
import { runConfigSchema } from '../../shared/run-config';
import { generateToy } from '../../models/data/toy';
import { profileTable } from '../../models/data/schema';
import type { Table } from '../../models/data/table';
import { describePlan, encodeRun, planRun, type RequestedConfig } from '../../service/run-planner';
import { estimateRunMemory } from '../../shared/memory-estimate';
import type { DatasetEntry } from '../../service/datasets';
import { thrown } from '../helpers/errors';

function expectTickworkError(fn: () => unknown, code: string, message: RegExp): void {
  const err = thrown(fn);
  expect(err.code).toBe(code);
  expect(err.message).toMatch(message);
}

function entryOf(table: Table): DatasetEntry {
  return { id: 'd1', loaded: { table, sha256: 'abc' }, profiles: profileTable(table), summary: null as never };
}

/** A request's config as the schema fills it in (what the service's handlers receive). */
function requested(config: Record<string, unknown>): RequestedConfig {
  return requests['training:start'].input.parse({ datasetId: 'd1', config }).config;
}

const moons = entryOf(generateToy('moons', { rows: 500, seed: 3 }));

describe('run planner', () => {
  it('fills batch size, epochs and early stopping in one pass, and the result is a valid stored RunConfig', () => {
    const planned = planRun(moons, requested({ target: 'label' }), null);
    const { config } = planned;
    expect(() => runConfigSchema.parse(config)).not.toThrow();
    expect(config.batchSize).toBe(32);
    // ~2,000 steps over ~350 training rows (70%, stratified) in batches of 32: 11 steps an epoch → 182 epochs.
    const train = planned.split.train.length;
    expect(Math.abs(train - 350)).toBeLessThanOrEqual(3);
    expect(config.epochs).toBe(Math.ceil(2000 / Math.ceil(train / 32)));
    expect(config.earlyStopping).toMatchObject({ patience: 10, monitor: 'validation.loss', restoreBestWeights: true });
    expect(config.task).toBe('binary');
    expect(config.features).toEqual(['x1', 'x2']);
    expect(config.dataset).toEqual({ name: moons.loaded.table.name, source: moons.loaded.table.source, sha256: 'abc', rows: 500 });
  });

  it('keeps what the request said: epochs, batch size, early stopping off', () => {
    const { config } = planRun(moons, requested({ target: 'label', epochs: 3, batchSize: 50, earlyStopping: null }), null);
    expect(config).toMatchObject({ epochs: 3, batchSize: 50, earlyStopping: null });
  });

  it('has no early stopping by default when there is no validation split', () => {
    const { config } = planRun(moons, requested({ target: 'label', split: { validation: 0, test: 0.2 } }), null);
    expect(config.earlyStopping).toBeNull();
  });

  it('plans the steps the loop will make, and encodes the parts it will train on', () => {
    const planned = planRun(moons, requested({ target: 'label', epochs: 4, batchSize: 100, accumulationSteps: 2 }), null);
    const plan = describePlan(planned);
    const { split } = planned;
    expect(plan.rows).toEqual({ train: split.train.length, validation: split.validation.length, test: split.test.length });
    expect(plan.rows.train + plan.rows.validation + plan.rows.test).toBe(500);
    expect(plan.stepsPerEpoch).toBe(2); // 4 batches of at most 100, two per step
    expect(plan.totalSteps).toBe(8);
    const prepared = encodeRun(planned);
    expect(prepared.request.train.rows).toBe(split.train.length);
    expect(prepared.request.train.cols).toBe(plan.inputs.length);
    expect(prepared.request.validation?.rows).toBe(split.validation.length);
    expect(prepared.surface?.matrix.cols).toBe(plan.inputs.length);
    expect(prepared.resultRows).toBe(planned.split.validation);
  });

  it('refuses in plain words: an unknown target, a batch larger than the data, a warmup as long as the run', () => {
    expectTickworkError(() => planRun(moons, requested({ target: 'nope' }), null), 'bad_data', /has no column "nope"/);
    expectTickworkError(() => planRun(moons, requested({ target: 'label', batchSize: 400 }), null), 'bad_data', /batchSize 400 is larger than the 34\d training rows/);
    expectTickworkError(
      () => planRun(moons, requested({ target: 'label', epochs: 1, schedule: { warmupSteps: 11 } }), null),
      'bad_data',
      /warmupSteps 11 is not shorter than the whole run \(11 steps = 1 epochs/,
    );
    expectTickworkError(() => planRun(moons, requested({ target: 'label', features: ['x1', 'label'] }), null), 'bad_data', /cannot also be a feature/);
  });
});

describe('run planner: memory', () => {
  it('estimates weights, gradients, optimizer state, activations and data from the network', () => {
    // 2 inputs → 3 → 1 (binary): 2·3 + 3 + 3·1 + 1 = 13 parameters.
    const e = estimateRunMemory({ model: requested({ target: 'label', model: { hidden: [3] } }).model as never, task: 'binary', optimizer: { name: 'adam' } as never, batchSize: 32, inputs: 2, classes: 2, trainRows: 100, otherRows: 0 });
    expect(e.parameters).toBe(13);
    expect([e.weights, e.gradients, e.optimizer, e.optimizerSlots]).toEqual([52, 52, 104, 2]);
    // Batch capacity 256 rows × (z and y of 3 units, z and y of the output, 3 scratch values of the widest layer), plus Wᵀ (6 values).
    expect(e.activations).toBe(4 * (256 * (2 * 3 + 2 * 1 + 3 * 3) + 6));
    expect(e.data).toBe(4 * 100 * 3);
    expect(e.engine).toBe(52 + 52 + 104 + e.activations + 1200);
  });

  it('refuses a network the wasm backend cannot hold, naming the estimate and the 4 GiB limit; the cpu backend takes it on a big machine', () => {
    const wide = requested({ target: 'label', model: { hidden: Array(16).fill(4096) }, optimizer: { name: 'adam', lr: 0.001 } });
    const err = thrown(() => planRun(moons, wide, null, { backend: 'wasm', machineBytes: 64 * 2 ** 30 }));
    expect(err.code).toBe('bad_data');
    expect(err.message).toMatch(/^This run needs about 4\.0 GiB in one WebAssembly memory \(251,736,065 parameters: weights 960 MiB, gradients 960 MiB, optimizer state 1\.9 GiB \(2 per parameter\)/);
    expect(err.message).toContain('the wasm backend holds at most 4.0 GiB per memory, of which a run may plan 3.5 GiB');
    expect(err.message).toContain('--backend cpu');
    expect(() => planRun(moons, wide, null, { backend: 'cpu', machineBytes: 64 * 2 ** 30 })).not.toThrow();
    const small = thrown(() => planRun(moons, wide, null, { backend: 'cpu', machineBytes: 8 * 2 ** 30 }));
    expect(small.message).toMatch(/at most 4\.8 GiB is available to a run \(60% of this machine's 8\.0 GiB\)/);
    // SGD without momentum keeps no state: the same network is smaller.
    const sgd = estimateRunMemory({ model: wide.model, task: 'binary', optimizer: { name: 'sgd', momentum: 0 } as never, batchSize: 32, inputs: 2, classes: 2, trainRows: 350, otherRows: 150 });
    expect(sgd.optimizer).toBe(0);
  });

  it('lets ordinary runs through', () => {
    expect(() => planRun(moons, requested({ target: 'label', model: { hidden: [64, 64] } }), null, { backend: 'wasm', machineBytes: 2 * 2 ** 30 })).not.toThrow();
  });
});
