/**
 * Data panel state: the bundled list, the open dataset and the chosen target.
 */
import type { BundledDataset, DatasetSource, DatasetSummary, Finding, TickworkApi } from '../../../shared/contract.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';

export class DataState {
  bundled = $state.raw<BundledDataset[]>([]);
  summary = $state.raw<DatasetSummary | null>(null);
  target = $state<string>('');
  findings = $state.raw<Finding[]>([]);
  loading = $state(false);

  readonly targetColumn = $derived(this.summary?.columns.find((c) => c.name === this.target) ?? null);
  /** The task the service will detect for the chosen target (mirrors models/data/schema.ts). */
  readonly task = $derived.by(() => {
    const c = this.targetColumn;
    if (!c) return null;
    if (c.type === 'categorical') return c.distinct <= 2 ? 'binary' : 'multiclass';
    const integer = c.top.every((t) => Number.isInteger(Number(t.value)));
    return integer && c.distinct <= 10 ? (c.distinct <= 2 ? 'binary' : 'multiclass') : 'regression';
  });

  constructor(
    private readonly api: TickworkApi,
    private readonly errors: ErrorBanner,
  ) {}

  async init(): Promise<void> {
    this.bundled = (await this.errors.guard(() => this.api.listDatasets({}))) ?? [];
  }

  /** Re-run the data check for the chosen target (called when the target changes). */
  async check(): Promise<void> {
    const summary = this.summary;
    if (!summary || !this.target) return;
    const target = this.target;
    const findings = await this.errors.guard(() => this.api.checkDataset({ datasetId: summary.id, target }));
    if (findings && this.summary === summary && this.target === target) this.findings = findings;
  }

  async open(source: DatasetSource): Promise<boolean> {
    this.loading = true;
    try {
      const summary = await this.errors.guard(() => this.api.openDataset({ source }));
      if (!summary) return false;
      this.summary = summary;
      this.target = summary.suggestedTarget ?? summary.columns[summary.columns.length - 1].name;
      this.findings = summary.findings;
      return true;
    } finally {
      this.loading = false;
    }
  }
}
