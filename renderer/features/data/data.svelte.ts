/**
 * Data panel state: the bundled list, the open dataset, reading progress, the chosen target,
 * and the per-column roles and preprocessing choices (which re-run the data check). The choices
 * are remembered by the workspace for the dataset, and come back when it is opened again.
 */
import { usesColumn } from '../../../shared/columns.js';
import type { BundledDataset, DatasetChoices, DatasetSource, DatasetSummary, EventPayload, Finding, TickworkApi } from '../../../shared/contract.js';
import { preprocessingConfigSchema, type ColumnPrep, type PreprocessingConfig, type RunConfigInput, type Task } from '../../../shared/run-config.js';

const PREP_DEFAULTS = preprocessingConfigSchema.parse({});
/** Save the choices this long after the last change. */
const SAVE_DELAY_MS = 400;
import type { ErrorBanner } from '../../lib/errors.svelte.js';

export class DataState {
  bundled = $state.raw<BundledDataset[]>([]);
  summary = $state.raw<DatasetSummary | null>(null);
  target = $state<string>('');
  findings = $state.raw<Finding[]>([]);
  loading = $state(false);
  /** Reading progress of the file being opened (null when none). */
  progress = $state.raw<EventPayload<'dataset:progress'> | null>(null);

  /** Per-column choices: role, read-as, impute, scale, category cap. */
  columns = $state<Record<string, ColumnPrep>>({});
  numericImpute = $state<PreprocessingConfig['numericImpute']>(PREP_DEFAULTS.numericImpute);
  scale = $state<PreprocessingConfig['scale']>(PREP_DEFAULTS.scale);
  categoricalImpute = $state<PreprocessingConfig['categoricalImpute']>(PREP_DEFAULTS.categoricalImpute);
  maxCategories = $state(PREP_DEFAULTS.maxCategories);
  #saveTimer: ReturnType<typeof setTimeout> | null = null;

  readonly targetColumn = $derived(this.summary?.columns.find((c) => c.name === this.target) ?? null);
  /** The task chosen for the target; '' (auto): the one the service detects for it. */
  taskChoice = $state<Task | ''>('');
  /** The task a run on the chosen target has unless one is chosen (the service says, per column). */
  readonly detectedTask = $derived(this.targetColumn?.asTarget ?? null);
  /** The task runs will have: the choice, else the detected one. */
  readonly task = $derived(this.targetColumn ? this.taskChoice || this.detectedTask : null);
  /**
   * What is wrong with the chosen target, in plain words (null: nothing): an ID (a different value
   * on every row) or a constant cannot be learned; the same rule that leaves such a column out of the inputs.
   */
  readonly targetIssue = $derived.by(() => {
    const c = this.targetColumn;
    if (c?.leftOut === 'identifier') return `"${c.name}" has a different value on every row, like an ID: there is nothing a model can learn to predict. Choose the column you want to predict.`;
    if (c?.leftOut === 'constant') return `"${c.name}" has the same value on every row: there is nothing to predict. Choose another column.`;
    return null;
  });
  /** Binary: the positive class chosen; '' (auto): the less frequent class. */
  positiveChoice = $state('');
  /** A binary target's two classes, most frequent first (from the column's counts). */
  readonly binaryClasses = $derived(this.task === 'binary' && this.targetColumn ? this.targetColumn.top.slice(0, 2).map((t) => t.value) : []);
  /** The class that is positive unless one is chosen: the less frequent. */
  readonly autoPositive = $derived(this.binaryClasses.length === 2 ? this.binaryClasses[1] : null);

  /** Why a run leaves a column out by default (identifier, constant, free text), from the service. */
  readonly leftOut = $derived.by(() => {
    const out: Record<string, string> = {};
    for (const c of this.summary?.columns ?? []) if (c.leftOut) out[c.name] = c.leftOut;
    return out;
  });

  /** The input columns a run will use (the service applies the same rule). */
  readonly features = $derived.by(() =>
    (this.summary?.columns ?? []).map((c) => c.name).filter((name) => name !== this.target && this.roleOf(name) === 'feature'),
  );

  /** A column's role: the user's choice, else what the data check decides by default. */
  roleOf(name: string): 'feature' | 'ignore' {
    return usesColumn(this.columns[name]?.role, name in this.leftOut) ? 'feature' : 'ignore';
  }

  constructor(
    private readonly api: TickworkApi,
    private readonly errors: ErrorBanner,
    /** The user opened a dataset (not a reopen on restore): what belonged to the previous one is cleared by the caller. */
    private readonly onOpen: (summary: DatasetSummary, previous: DatasetSummary | null) => void = () => undefined,
  ) {
    api.onDatasetProgress((p) => {
      if (this.loading) this.progress = p;
    });
  }

  async init(): Promise<void> {
    this.bundled = (await this.errors.guard(() => this.api.listDatasets({}))) ?? [];
  }

  /** Re-run the data check for the chosen target and features (after any choice changes). */
  async check(): Promise<void> {
    const summary = this.summary;
    if (!summary || !this.target) return;
    const target = this.target;
    const features = this.features;
    const findings = await this.errors.guard(() => this.api.checkDataset({ datasetId: summary.id, target, features }));
    if (findings && this.summary === summary && this.target === target) this.findings = findings;
  }

  /** Change one column's choices (undefined removes a key) and re-check. */
  setColumn(name: string, change: Partial<ColumnPrep>): void {
    const next: ColumnPrep = { ...this.columns[name], ...change };
    for (const key of Object.keys(next) as (keyof ColumnPrep)[]) if (next[key] === undefined) delete next[key];
    this.columns = { ...this.columns, [name]: next };
    this.chosen();
    void this.check();
  }

  /** Choose the target column (the task goes back to automatic) and re-check. */
  setTarget(name: string): void {
    this.target = name;
    this.taskChoice = '';
    this.positiveChoice = '';
    this.chosen();
    void this.check();
  }

  /** The choices as the workspace keeps them for this dataset. */
  choices(): DatasetChoices {
    const { preprocessing } = this.runInputs();
    return { target: this.target || null, task: this.taskChoice || null, positiveClass: this.positiveChoice || null, preprocessing };
  }

  /** A choice changed: remember it for the dataset (shortly, once for a burst of changes). */
  chosen(): void {
    const summary = this.summary;
    if (!summary) return;
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      if (this.summary === summary) void this.errors.guard(() => this.api.saveDatasetChoices({ datasetId: summary.id, choices: this.choices() }), { keep: true });
    }, SAVE_DELAY_MS);
  }

  /** Apply the choices remembered for the dataset (those that still fit its columns). */
  #apply(choices: DatasetChoices | null, summary: DatasetSummary): void {
    const has = (name: string | null | undefined) => !!name && summary.columns.some((c) => c.name === name);
    this.target = has(choices?.target) ? choices!.target! : (summary.suggestedTarget ?? summary.columns[summary.columns.length - 1].name);
    this.taskChoice = choices?.task ?? '';
    this.positiveChoice = choices?.positiveClass ?? '';
    const prep = choices?.preprocessing ?? {};
    this.numericImpute = prep.numericImpute ?? PREP_DEFAULTS.numericImpute;
    this.scale = prep.scale ?? PREP_DEFAULTS.scale;
    this.categoricalImpute = prep.categoricalImpute ?? PREP_DEFAULTS.categoricalImpute;
    this.maxCategories = prep.maxCategories ?? PREP_DEFAULTS.maxCategories;
    this.columns = Object.fromEntries(Object.entries(prep.columns ?? {}).filter(([name]) => has(name)));
  }

  /** What the run config needs from the data panel. */
  runInputs(): Pick<RunConfigInput, 'preprocessing' | 'task' | 'positiveClass'> {
    const columns: Record<string, ColumnPrep> = {};
    for (const [name, prep] of Object.entries(this.columns)) if (name !== this.target && Object.keys(prep).length > 0) columns[name] = prep;
    return {
      ...(this.taskChoice ? { task: this.taskChoice } : {}),
      ...(this.task === 'binary' && this.positiveChoice && this.binaryClasses.includes(this.positiveChoice) ? { positiveClass: this.positiveChoice } : {}),
      preprocessing: {
        numericImpute: this.numericImpute,
        scale: this.scale,
        categoricalImpute: this.categoricalImpute,
        maxCategories: this.maxCategories,
        columns,
      },
    };
  }

  async open(source: DatasetSource, options?: { maxRows?: number }): Promise<boolean> {
    this.loading = true;
    this.progress = null;
    try {
      const summary = await this.errors.guard(() => this.api.openDataset({ source, ...(options ? { options } : {}) }));
      if (!summary) return false;
      const previous = this.summary;
      this.#source = source;
      this.query = '';
      this.appliedQuery = null;
      this.queryError = null;
      this.#show(summary);
      this.onOpen(summary, previous);
      return true;
    } finally {
      this.loading = false;
      this.progress = null;
    }
  }

  #show(summary: DatasetSummary): void {
    this.summary = summary;
    this.#apply(summary.choices, summary);
    this.findings = summary.findings;
    // Remembered choices may change what the check says.
    if (summary.choices) void this.check();
  }

  /** Open a dataset the workspace knows again, with its remembered choices (after a reload or restart). */
  async reopen(datasetId: string): Promise<boolean> {
    this.loading = true;
    this.progress = null;
    try {
      const summary = await this.errors.guard(() => this.api.reopenDataset({ datasetId }));
      if (!summary) return false;
      this.#show(summary);
      return true;
    } finally {
      this.loading = false;
      this.progress = null;
    }
  }

  /** The query step: SQL over the opened file (`SELECT … FROM data …`) whose result is the dataset. */
  query = $state('');
  /** The query the shown dataset is the result of (null: the file as it is). */
  appliedQuery = $state<string | null>(null);
  /** Why the query was refused (DuckDB's reason, in words), shown under the query box. */
  queryError = $state<string | null>(null);
  #source: DatasetSource | null = null;

  /** Open the same file again as the result of the query (empty: the file as it is); the previous dataset stays if it is refused. */
  async applyQuery(): Promise<boolean> {
    const source = this.#source;
    if (!source) {
      this.queryError = 'Open the file again to query it: the query runs over the file as it was opened (Open file… or a bundled dataset).';
      return false;
    }
    const query = this.query.trim() || null;
    this.loading = true;
    this.queryError = null;
    try {
      const summary = await this.api.openDataset({ source, options: { query } });
      this.appliedQuery = query;
      this.#show(summary);
      return true;
    } catch (err) {
      this.queryError = err instanceof Error ? err.message : String(err);
      return false;
    } finally {
      this.loading = false;
      this.progress = null;
    }
  }

  /** Open a dataset the workspace knows (the sidebar's list): as reopen, and what belonged to the previous one is cleared. */
  async switchTo(datasetId: string): Promise<boolean> {
    const previous = this.summary;
    if (previous?.id === datasetId) return true;
    const opened = await this.reopen(datasetId);
    if (opened && this.summary) this.onOpen(this.summary, previous);
    return opened;
  }

  async cancelOpen(): Promise<void> {
    await this.errors.guard(() => this.api.cancelOpenDataset({}));
  }
}
