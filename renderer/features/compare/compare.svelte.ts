/**
 * The Compare step: the run table of the whole workspace — sorted, filtered, grouped by race —
 * with the curves of the selected runs overlaid, renaming, tagging, notes and deleting. Rows come
 * without histories (run:list); a run's curve is fetched when it is selected and then follows its
 * epoch events. Status events refresh the table (debounced).
 */
import { isChartX, type ChartX } from './compare-chart.js';
import { isActive, type EpochRecord, type RunRow, type TickworkApi } from '../../../shared/contract.js';
import type { OptimizerName, RunConfigInput } from '../../../shared/run-config.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';
import { bestRun, COLUMNS, differingColumns, filterRows, groupByRace, NO_FILTER, sortRows, type CompareMetric, type RunFilter, type TableItem } from './run-table.js';

/** The race the Train panel starts: the classic optimizers at their usual (default) learning rates. */
export const RACE_OPTIMIZERS: OptimizerName[] = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop'];
/** Runs selected for the chart when the table first loads: the newest few on the current data. */
const FIRST_SELECTION = 6;

/** Which datasets the table lists: the one open in the Data step, every one, or a chosen one (its id). */
export type DatasetScope = 'current' | 'all' | string;

export interface CompareSources {
  /** The dataset open in the Data step (its workspace id), or null. */
  currentDataset: () => string | null;
}

export interface CompareView {
  metric: CompareMetric;
  sortBy: string;
  sortDirection: 'asc' | 'desc';
  datasetScope: DatasetScope;
  filter: Omit<RunFilter, 'dataset'>;
  onlyDiffering: boolean;
  groupRaces: boolean;
  chartX?: ChartX;
  logY?: boolean;
  smoothing?: number;
}

export class CompareState {
  readonly #sources: CompareSources;
  rows = $state.raw<RunRow[]>([]);
  metric = $state<CompareMetric>('loss');
  /** The chart: x by epoch, by optimizer step or by wall time, a log-scale y, and TensorBoard-style smoothing (0–0.99). */
  chartX = $state<ChartX>('epoch');
  logY = $state(false);
  smoothing = $state(0);
  sortBy = $state('startedAt');
  sortDirection = $state<'asc' | 'desc'>('desc');
  datasetScope = $state<DatasetScope>('current');
  filter = $state<Omit<RunFilter, 'dataset'>>({ optimizer: null, status: null, tag: null, text: '' });
  onlyDiffering = $state(false);
  groupRaces = $state(true);
  folded = $state.raw<Set<string>>(new Set());
  /** Runs whose curves are on the chart. */
  selected = $state.raw<Set<string>>(new Set());
  /** Per-epoch histories of the selected runs. */
  curves = $state.raw<Map<string, EpochRecord[]>>(new Map());
  /** The run being renamed / tagged / annotated, and the one asked to be deleted. */
  editing = $state<string | null>(null);
  confirmingDelete = $state<string | null>(null);

  #loaded = false;
  #known = new Set<string>();
  /** Runs started from this tab: only these join the chart by themselves (another tab's runs are listed, not drawn). */
  #mine = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly api: TickworkApi,
    private readonly errors: ErrorBanner,
    sources: CompareSources,
  ) {
    this.#sources = sources;
    // An epoch extends its row and, when selected, its curve (no round trip), a few times a second
    // at most however fast epochs come; status changes refresh the table.
    api.onTrainingEpoch(({ runId, record }) => {
      this.#pendingEpochs.push({ runId, record });
      this.#flushSoon();
    });
    api.onTrainingStatus(() => this.refreshSoon());
  }

  #pendingEpochs: { runId: string; record: EpochRecord }[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | null = null;

  #flushSoon(): void {
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null;
      const pending = this.#pendingEpochs;
      this.#pendingEpochs = [];
      let rows = this.rows;
      let curves = this.curves;
      for (const { runId, record } of pending) {
        const i = rows.findIndex((r) => r.runId === runId);
        if (i < 0) {
          this.refreshSoon();
          continue;
        }
        if (rows === this.rows) rows = rows.slice();
        rows[i] = { ...rows[i], epochsRun: record.epoch };
        // Only epochs after the curve's last: a curve fetched meanwhile already has the earlier ones.
        const curve = curves.get(runId) ?? [];
        if (this.selected.has(runId) && record.epoch > (curve.at(-1)?.epoch ?? 0)) {
          if (curves === this.curves) curves = new Map(curves);
          curves.set(runId, [...curve, record]);
        }
      }
      this.rows = rows;
      this.curves = curves;
    }, 250);
  }

  /** The dataset id the table is limited to (null: every dataset). */
  get datasetFilter(): string | null {
    return this.datasetScope === 'all' ? null : this.datasetScope === 'current' ? this.#sources.currentDataset() : this.datasetScope;
  }
  /** The runs that pass the filters, sorted. */
  readonly listed = $derived(sortRows(filterRows(this.rows, { ...this.filter, dataset: this.datasetFilter }), this.sortBy, this.sortDirection, this.metric));
  readonly items = $derived<TableItem[]>(this.groupRaces ? groupByRace(this.listed, this.folded, this.metric) : this.listed.map((row) => ({ kind: 'run' as const, row, inRace: false })));
  readonly columns = $derived.by(() => {
    if (!this.onlyDiffering) return COLUMNS;
    const differ = differingColumns(this.listed, this.metric);
    return COLUMNS.filter((c) => differ.has(c.id));
  });
  readonly best = $derived(bestRun(this.listed, this.metric, this.datasetFilter ?? this.rows[0]?.datasetId ?? null));
  /** The runs of a race still under way (a race is stopped as a whole from here). */
  readonly racing = $derived(this.rows.filter((r) => r.raceId !== null && isActive(r.status)));
  /** The choices of the filters: the datasets, optimizers and tags the rows have. */
  readonly datasets = $derived([...new Map(this.rows.map((r) => [r.datasetId ?? '', r.datasetName])).entries()].filter(([id]) => id !== ''));
  readonly optimizers = $derived([...new Set(this.rows.map((r) => r.optimizer))].sort());
  readonly tags = $derived([...new Set(this.rows.flatMap((r) => r.tags))].sort());

  refreshSoon(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refresh();
    }, 250);
  }

  async refresh(): Promise<void> {
    const rows = await this.errors.guard(() => this.api.listRuns({}), { keep: true });
    if (!rows) return;
    const fresh = rows.filter((r) => !this.#known.has(r.runId));
    this.rows = rows;
    this.#known = new Set(rows.map((r) => r.runId));
    if (!this.#loaded) {
      this.#loaded = true;
      const current = this.datasetFilter ?? rows[0]?.datasetId;
      for (const r of rows.filter((row) => row.datasetId === current).slice(0, FIRST_SELECTION)) void this.select(r.runId, true);
    } else {
      // Runs this tab started since the last look are shown on the chart — with the later runs of
      // their group (a cross-validation's final model starts after its folds).
      const groups = new Set(rows.filter((r) => this.#mine.has(r.runId) && r.group).map((r) => r.group!.id));
      for (const r of fresh) {
        if (!this.#mine.has(r.runId) && r.group && groups.has(r.group.id)) this.#mine.add(r.runId);
        if (this.#mine.has(r.runId)) void this.select(r.runId, true);
      }
    }
    const gone = [...this.selected].filter((id) => !this.#known.has(id));
    if (gone.length > 0) this.selected = new Set([...this.selected].filter((id) => this.#known.has(id)));
  }

  /** Put a run's curve on the chart (on: true), take it off (false), or flip it. */
  async select(runId: string, on = !this.selected.has(runId)): Promise<void> {
    const next = new Set(this.selected);
    if (on) next.add(runId);
    else next.delete(runId);
    this.selected = next;
    if (!on || this.curves.has(runId)) return;
    const run = await this.errors.guard(() => this.api.getRun({ runId }), { keep: true });
    if (run && this.selected.has(runId)) this.curves = new Map(this.curves).set(runId, run.history);
  }

  sort(columnId: string): void {
    if (this.sortBy === columnId) this.sortDirection = this.sortDirection === 'asc' ? 'desc' : 'asc';
    else {
      this.sortBy = columnId;
      this.sortDirection = COLUMNS.find((c) => c.id === columnId)?.numeric || columnId === 'startedAt' ? 'desc' : 'asc';
    }
  }

  toggleRace(raceId: string): void {
    const next = new Set(this.folded);
    if (next.has(raceId)) next.delete(raceId);
    else next.add(raceId);
    this.folded = next;
  }

  /** Rename, tag or annotate a run. */
  async save(runId: string, changes: { name?: string; tags?: string[]; notes?: string }): Promise<boolean> {
    const row = await this.errors.guard(() => this.api.updateRun({ runId, ...changes }));
    if (!row) return false;
    this.rows = this.rows.map((r) => (r.runId === runId ? row : r));
    this.editing = null;
    return true;
  }

  /** Delete a run (after the user confirmed), with its model files. */
  async remove(runId: string): Promise<void> {
    this.confirmingDelete = null;
    const done = await this.errors.guard(() => this.api.deleteRun({ runId }));
    if (!done) return;
    this.rows = this.rows.filter((r) => r.runId !== runId);
    this.#known.delete(runId);
    void this.select(runId, false);
  }

  /** Stop every run of the race under way; each keeps its model as it stands. */
  async stopRace(): Promise<void> {
    const runIds = this.racing.map((r) => r.runId);
    await this.errors.guard(() => Promise.all(runIds.map((runId) => this.api.stopTraining({ runId }))));
    this.refreshSoon();
  }

  /** A race of the usual optimizers; with `repeats`, each optimizer with that many seeds. */
  async startRace(datasetId: string, config: RunConfigInput, repeats?: number): Promise<void> {
    const race = await this.errors.guard(() => this.api.startRace({ datasetId, config, optimizers: RACE_OPTIMIZERS.map((name) => ({ name })) as never, ...(repeats ? { repeats } : {}) }));
    for (const runId of race?.runIds ?? []) this.#mine.add(runId);
    await this.refresh();
  }

  /** A run this tab started (Train): it joins the chart when it is listed. */
  own(runId: string): void {
    this.#mine.add(runId);
  }

  /** How this tab looks at the run table (kept per tab, with the tab's session). */
  view(): CompareView {
    return {
      metric: this.metric,
      sortBy: this.sortBy,
      sortDirection: this.sortDirection,
      datasetScope: this.datasetScope,
      filter: $state.snapshot(this.filter),
      onlyDiffering: this.onlyDiffering,
      groupRaces: this.groupRaces,
      chartX: this.chartX,
      logY: this.logY,
      smoothing: this.smoothing,
    };
  }

  /** A view saved by view() (what does not fit is left as it is). */
  restoreView(saved: unknown): void {
    if (!saved || typeof saved !== 'object') return;
    const v = saved as Partial<CompareView>;
    if (typeof v.metric === 'string') this.metric = v.metric;
    if (typeof v.sortBy === 'string') this.sortBy = v.sortBy;
    if (v.sortDirection === 'asc' || v.sortDirection === 'desc') this.sortDirection = v.sortDirection;
    if (typeof v.datasetScope === 'string') this.datasetScope = v.datasetScope;
    if (v.filter && typeof v.filter === 'object') this.filter = { ...this.filter, ...v.filter };
    if (typeof v.onlyDiffering === 'boolean') this.onlyDiffering = v.onlyDiffering;
    if (typeof v.groupRaces === 'boolean') this.groupRaces = v.groupRaces;
    if (isChartX(v.chartX)) this.chartX = v.chartX;
    if (typeof v.logY === 'boolean') this.logY = v.logY;
    if (typeof v.smoothing === 'number' && v.smoothing >= 0 && v.smoothing < 1) this.smoothing = v.smoothing;
  }
}

export { NO_FILTER };
