/**
 * Runs started together: seed repeats (the same run with seeds seed, seed + 1, …) and
 * cross-validation (k folds of the training part, then — when they have ended — a final model
 * trained on the whole training part for the folds' median best epoch, evaluated on the test
 * rows). Races are groups too (runs.ts). `waitForGroup` resolves when every run of a group has
 * ended, the final model of a cross-validation included.
 */
import { randomUUID } from 'node:crypto';
import type { RequestParsedInput, RunSummary } from '../shared/contract.js';
import { bestEpoch } from '../shared/monitor.js';
import { encodeRun, type PlannedRun, type RequestedConfig } from './run-planner.js';
import type { RunRegistry } from './runs.js';

type Start = RequestParsedInput<'training:start'>;

/** The median of a list of numbers (the lower middle of an even count), rounded to a whole epoch. */
export function medianEpoch(epochs: number[]): number {
  const sorted = [...epochs].sort((a, b) => a - b);
  return Math.max(1, Math.round(sorted[Math.floor((sorted.length - 1) / 2)]));
}

export class RunGroups {
  readonly #ends = new Map<string, Promise<RunSummary[]>>();

  constructor(
    private readonly runs: RunRegistry,
    /** Plan a request's config on its dataset (the façade's, which loads a test file if named). */
    private readonly plan: (input: Start, config: RequestedConfig) => Promise<PlannedRun>,
  ) {}

  /** N runs differing only in their seed. */
  async repeats(input: Start, n: number) {
    const seeds = Array.from({ length: n }, (_, i) => input.config.seed + i);
    const prepared = [];
    for (const seed of seeds) prepared.push(encodeRun(await this.plan(input, { ...input.config, seed }), input.surface));
    const groupId = randomUUID();
    const runIds = await this.runs.startGroup(prepared, { id: groupId, kind: 'repeats' });
    this.#ends.set(groupId, Promise.all(runIds.map((id) => this.runs.waitForRun(id))));
    return { runId: runIds[0], runIds, groupId };
  }

  /** k folds now; the final model when they have ended. */
  async crossValidate(input: Start, k: number) {
    const prepared = [];
    for (let index = 0; index < k; index++) {
      prepared.push(encodeRun(await this.plan(input, { ...input.config, split: { ...input.config.split, fold: { k, index } } }), input.surface));
    }
    const groupId = randomUUID();
    const runIds = await this.runs.startGroup(prepared, { id: groupId, kind: 'cv' });
    this.#ends.set(groupId, this.#final(input, k, groupId, runIds));
    return { runId: runIds[0], runIds, groupId };
  }

  /** After the folds: the final model on the whole training part, for the folds' median best epoch. */
  async #final(input: Start, k: number, groupId: string, foldIds: string[]): Promise<RunSummary[]> {
    const folds = await Promise.all(foldIds.map((id) => this.runs.waitForRun(id)));
    const done = folds.filter((f) => f.status === 'completed' && f.history.length > 0);
    // Folds stopped by the user (or failed) mean the user did not want the final model.
    if (done.length !== folds.length) return folds;
    const epochs = medianEpoch(done.map((f) => bestEpoch(f.history, f.config.earlyStopping)?.epoch ?? f.history.length));
    const config: RequestedConfig = { ...input.config, split: { ...input.config.split, fold: { k, index: null } }, epochs, earlyStopping: null };
    const prepared = encodeRun(await this.plan(input, config), input.surface);
    const [finalId] = await this.runs.startGroup([prepared], { id: groupId, kind: 'cv' });
    return [...folds, await this.runs.waitForRun(finalId)];
  }

  /** Follow a group started elsewhere (a race) so that waitForGroup can wait for it. */
  track(groupId: string, runIds: string[]): void {
    this.#ends.set(groupId, Promise.all(runIds.map((id) => this.runs.waitForRun(id))));
  }

  /** Every run of a group once all have ended (a cross-validation's final model included). */
  waitForGroup(groupId: string): Promise<RunSummary[]> {
    return this.#ends.get(groupId) ?? Promise.resolve([]);
  }
}
