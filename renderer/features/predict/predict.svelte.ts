/**
 * Predict & export state: the model in use (the last run's, or an exported one loaded back), the
 * what-if row and its prediction, batch scoring, and export with optional quantization.
 */
import type { ModelInfo, Prediction, TickworkApi } from '../../../shared/contract.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';
import type { ExportedModel, Host, Quantize, ScoredFile } from '../../lib/host.js';

export type { Quantize };

/** Points along a varied what-if input. */
export const VARY_POINTS = 41;

export class PredictState {
  model = $state.raw<ModelInfo | null>(null);
  whatIf = $state<Record<string, string>>({});
  result = $state.raw<Prediction | null>(null);
  scoring = $state.raw<ScoredFile | null>(null);
  quantize = $state<Quantize>('none');
  exported = $state.raw<ExportedModel | null>(null);
  busy = $state(false);
  /** A model loaded from an export: the file (or folder) name the user picked, shown instead of where the server keeps it. */
  loadedName = $state<string | null>(null);

  constructor(
    private readonly host: Host,
    private readonly errors: ErrorBanner,
  ) {}

  private get api(): TickworkApi {
    return this.host.api;
  }

  private async run<T>(action: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    try {
      return await this.errors.guard(action);
    } finally {
      this.busy = false;
    }
  }

  private use(info: ModelInfo): void {
    this.model = info;
    const kept: Record<string, string> = {};
    for (const input of info.inputs) kept[input] = this.whatIf[input] ?? '';
    this.whatIf = kept;
    this.result = null;
    this.scoring = null;
    this.exported = null;
    this.variation = null;
    this.varied = '';
    this.dependence = null;
    this.dependenceColumn = '';
  }

  async useModel(modelId: string): Promise<void> {
    const info = await this.errors.guard(() => this.api.getModel({ modelId }), { keep: true });
    if (info) {
      this.use(info);
      this.loadedName = null;
    }
  }

  /** No model in use (another dataset was opened: the last run's model is not for it). */
  clear(): void {
    this.model = null;
    this.loadedName = null;
    this.result = null;
    this.scoring = null;
    this.exported = null;
    this.predictRefusal = null;
    this.variation = null;
    this.varied = '';
    this.dependence = null;
    this.dependenceColumn = '';
  }

  /** Load an exported model (folder or .zip) the user picks. */
  async loadExported(): Promise<void> {
    const path = await this.errors.guard(() => this.host.pickModel());
    if (!path) return;
    const info = await this.run(() => this.api.loadModel({ dir: path }));
    if (info) {
      this.use(info);
      // The last part of the path is the name the user picked (browser mode stores an upload as <folder>/<its name>).
      this.loadedName = path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
    }
  }

  /** Every what-if input set to its typical training value (median or most frequent), to change one from there. */
  fillTypical(): void {
    const model = this.model;
    if (!model) return;
    this.whatIf = Object.fromEntries(model.inputs.map((input) => [input, model.typical[input] ?? '']));
    this.result = null;
  }

  /** The what-if row as the service reads it (an empty field is a missing value). */
  private whatIfRow(model: ModelInfo): Record<string, string | null> {
    const row: Record<string, string | null> = {};
    for (const input of model.inputs) row[input] = this.whatIf[input]?.trim() ? this.whatIf[input].trim() : null;
    return row;
  }

  /**
   * What is wrong with a what-if field, by input (a numeric input given something that is not a
   * number), in plain words: what is wrong and what to do.
   */
  readonly whatIfIssues = $derived.by(() => {
    const model = this.model;
    const out: Record<string, string> = {};
    if (!model) return out;
    for (const input of model.inputs) {
      const value = this.whatIf[input]?.trim() ?? '';
      if (!(input in model.ranges) || value === '' || Number.isFinite(Number(value))) continue;
      const typical = model.typical[input];
      out[input] = `${input} takes a number${typical ? ` (such as ${typical})` : ''}; "${value}" is not one. Enter a number, or leave it empty to treat it as missing.`;
    }
    return out;
  });

  /** Why the last Predict was not done, in plain words, shown next to the button (null: it was). */
  predictRefusal = $state<string | null>(null);

  async predict(): Promise<void> {
    const model = this.model;
    if (!model) return;
    const bad = Object.keys(this.whatIfIssues);
    if (bad.length > 0) {
      this.predictRefusal = `Not predicted: fix the marked field${bad.length > 1 ? 's' : ''} (${bad.join(', ')}) first.`;
      return;
    }
    this.predictRefusal = null;
    let out: Awaited<ReturnType<TickworkApi['predict']>> | undefined;
    this.busy = true;
    try {
      out = await this.api.predict({ modelId: model.modelId, rows: [this.whatIfRow(model)] });
    } catch (err) {
      // The service speaks of rows and lines of a file; here there is one row, the form.
      const text = (err instanceof Error ? err.message : String(err)).replace(/^[\w-]+:[\w-]+: /, '').replace(/^rows: /, '').replace(/\bline \d+ has\b/g, 'the form has');
      this.predictRefusal = `Not predicted: ${text}`;
      return;
    } finally {
      this.busy = false;
    }
    this.result = out.predictions[0];
    if (this.varied) await this.vary(this.varied);
  }

  /** Partial dependence on one input, averaged over the model's training rows (null: none asked, or none available). */
  dependence = $state.raw<Awaited<ReturnType<TickworkApi['partialDependence']>> | null>(null);
  dependenceColumn = $state('');

  /** Partial dependence of the model on `column` (datasetId: the open dataset, for a loaded export). */
  async dependOn(column: string, datasetId: string | null): Promise<void> {
    const model = this.model;
    this.dependenceColumn = column;
    if (!model || !column) {
      this.dependence = null;
      return;
    }
    const result = await this.run(() => this.api.partialDependence({ modelId: model.modelId, column, ...(datasetId ? { datasetId } : {}) }));
    if (this.model === model && this.dependenceColumn === column) this.dependence = result ?? null;
  }

  /** The numeric input the what-if row is varied along (empty: none). */
  varied = $state('');
  /** The prediction as that input moves over its training range, the rest of the row as it is. */
  variation = $state.raw<{ input: string; xs: number[]; predictions: Prediction[]; at: number | null } | null>(null);

  /** Predict the what-if row with `input` at VARY_POINTS values over its training range (5% margins). */
  async vary(input: string): Promise<void> {
    const model = this.model;
    this.varied = input;
    const range = model?.ranges[input];
    if (!model || !range) {
      this.variation = null;
      return;
    }
    const pad = (range.max - range.min) * 0.05 || 0.5;
    const xs = Array.from({ length: VARY_POINTS }, (_, i) => range.min - pad + (i / (VARY_POINTS - 1)) * (range.max - range.min + 2 * pad));
    const base = this.whatIfRow(model);
    const out = await this.run(() => this.api.predict({ modelId: model.modelId, rows: xs.map((x) => ({ ...base, [input]: String(x) })) }));
    if (!out || this.model !== model) return;
    const at = Number(base[input]);
    this.variation = { input, xs, predictions: out.predictions, at: base[input] !== null && Number.isFinite(at) ? at : null };
  }

  /** Batch scoring of a file the user picks (desktop: saved where they say; browser: downloaded). */
  async score(): Promise<void> {
    const model = this.model;
    if (!model) return;
    const r = await this.run(() => this.host.scoreFile(model.modelId));
    if (r) this.scoring = r;
  }

  /** Export the model in use (desktop: into a folder the user picks; browser: a zip download), or its run as a PyTorch recipe. */
  async export(defaultName: string): Promise<void> {
    const model = this.model;
    if (!model) return;
    if (this.exportKind === 'recipe') {
      const r = await this.run(() => this.host.exportRecipe(model.modelId, defaultName));
      if (r) this.exported = { where: r.where, quantization: null, recipe: true };
      return;
    }
    const quantize = this.quantize;
    const r = await this.run(() => this.host.exportModel(model.modelId, quantize, defaultName));
    if (r) this.exported = r;
  }

  /** What Export writes: the model (tfjs, ONNX, preprocessing) or the run as a PyTorch training recipe (train.py). */
  exportKind = $state<'model' | 'recipe'>('model');
}
