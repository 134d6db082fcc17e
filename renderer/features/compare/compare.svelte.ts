/**
 * Compare: every run of this session (races included), their curves overlaid, and a table of
 * configs and final metrics. The list follows training events (debounced).
 */
import { isActive, type RunSummary, type TickworkApi } from '../../../shared/contract.js';
import type { OptimizerName, RunConfigInput } from '../../../shared/run-config.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';

/** The race the Train panel starts: the classic optimizers at their usual (default) learning rates. */
export const RACE_OPTIMIZERS: OptimizerName[] = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop'];

export class CompareState {
  runs = $state.raw<RunSummary[]>([]);
  /** Run ids shown on the chart; new runs are shown by default. */
  hidden = $state.raw<Set<string>>(new Set());
  metric = $state<'loss' | 'accuracy' | 'r2'>('loss');
  /** On: list only the runs on the latest run's data (curves of different data do not compare). */
  onlyLatestData = $state(true);
  /** The latest run's dataset (id and name), and whether the runs span more than one. */
  readonly latestData = $derived(this.runs.length > 0 ? { id: this.runs.at(-1)!.datasetId, name: this.runs.at(-1)!.datasetName } : null);
  readonly manyDatasets = $derived(new Set(this.runs.map((r) => r.datasetId)).size > 1);
  /** The runs in the table and on the chart. */
  readonly listed = $derived(this.onlyLatestData && this.latestData ? this.runs.filter((r) => r.datasetId === this.latestData!.id) : this.runs);
  /**
   * The best finished run by the chosen validation metric (lowest loss, highest accuracy or r²;
   * final metrics, else the last epoch), among the shown runs on the same data as the latest run
   * (other data's numbers do not compare). Null unless at least two have a model and a value.
   */
  readonly best = $derived.by(() => {
    const key = this.metric;
    const dataset = this.latestData?.id;
    let winner: { runId: string; value: number } | null = null;
    let candidates = 0;
    for (const r of this.runs) {
      const v = r.metrics?.validation?.[key] ?? r.history.at(-1)?.validation?.[key];
      if (r.datasetId !== dataset || !r.modelId || this.hidden.has(r.runId) || typeof v !== 'number' || !Number.isFinite(v)) continue;
      candidates++;
      if (!winner || (key === 'loss' ? v < winner.value : v > winner.value)) winner = { runId: r.runId, value: v };
    }
    // One run is not a comparison.
    return candidates >= 2 ? winner!.runId : null;
  });
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: RunSummary[] | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  /** Coalesce epoch updates: at most a few redraws per second. */
  private flushSoon(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      if (this.pending) this.runs = this.pending;
      this.pending = null;
    }, 250);
  }

  constructor(
    private readonly api: TickworkApi,
    private readonly errors: ErrorBanner,
  ) {
    // Epochs extend the run in place (no round trip); status changes fetch the list again.
    api.onTrainingEpoch(({ runId, record }) => {
      const base = this.pending ?? this.runs;
      const i = base.findIndex((r) => r.runId === runId);
      if (i < 0) return this.refreshSoon();
      const runs = base.slice();
      runs[i] = { ...runs[i], history: [...runs[i].history, record] };
      this.pending = runs;
      this.flushSoon();
    });
    api.onTrainingStatus(() => this.refreshSoon());
  }

  refreshSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, 250);
  }

  async refresh(): Promise<void> {
    const runs = await this.errors.guard(() => this.api.listRuns({}), { keep: true });
    if (runs) {
      this.pending = null;
      this.runs = runs;
    }
  }

  toggle(runId: string): void {
    const next = new Set(this.hidden);
    if (next.has(runId)) next.delete(runId);
    else next.add(runId);
    this.hidden = next;
  }

  /** The runs of a race still under way (a race is stopped as a whole from here). */
  readonly racing = $derived(this.runs.filter((r) => r.raceId !== null && isActive(r.status)));

  /** Stop every run of the race under way; each keeps its model as it stands. */
  async stopRace(): Promise<void> {
    const runIds = this.racing.map((r) => r.runId);
    await this.errors.guard(() => Promise.all(runIds.map((runId) => this.api.stopTraining({ runId }))));
    this.refreshSoon();
  }

  async startRace(datasetId: string, config: RunConfigInput): Promise<void> {
    await this.errors.guard(() => this.api.startRace({ datasetId, config, optimizers: RACE_OPTIMIZERS.map((name) => ({ name })) as never }));
    await this.refresh();
  }
}
