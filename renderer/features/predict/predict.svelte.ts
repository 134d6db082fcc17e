/**
 * Predict & export state: the model in use (the last run's, or an exported one loaded back), the
 * what-if row and its prediction, batch scoring, and export with optional quantization.
 */
import type { ModelInfo, Prediction, TickworkApi } from '../../../shared/contract.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';
import { downloadExport, scoreUpload, uploadFile, type Platform, type QuantizationReport } from '../../lib/platform.js';

export type Quantize = 'none' | 'float16' | 'int8';

/** Points along a varied what-if input. */
export const VARY_POINTS = 41;

export class PredictState {
  model = $state.raw<ModelInfo | null>(null);
  whatIf = $state<Record<string, string>>({});
  result = $state.raw<Prediction | null>(null);
  scoring = $state.raw<{ rows: number; output: string | null; warnings: string[] } | null>(null);
  quantize = $state<Quantize>('none');
  exported = $state.raw<{ where: string; quantization: QuantizationReport | null } | null>(null);
  busy = $state(false);

  constructor(
    private readonly platform: Platform,
    private readonly errors: ErrorBanner,
  ) {}

  private get api(): TickworkApi {
    return this.platform.api;
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
  }

  async useModel(modelId: string): Promise<void> {
    const info = await this.errors.guard(() => this.api.getModel({ modelId }), { keep: true });
    if (info) this.use(info);
  }

  /** Load an exported model (folder or .zip): a native dialog in the desktop app, an upload in the browser. */
  async loadExported(file?: File): Promise<void> {
    const path = this.platform.shell ? await this.errors.guard(() => this.platform.shell!.openModelDialog()) : file ? await this.errors.guard(() => uploadFile(file)) : null;
    if (!path) return;
    const info = await this.run(() => this.api.loadModel({ dir: path }));
    if (info) this.use(info);
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

  async predict(): Promise<void> {
    const model = this.model;
    if (!model) return;
    const out = await this.run(() => this.api.predict({ modelId: model.modelId, rows: [this.whatIfRow(model)] }));
    if (out) this.result = out.predictions[0];
    if (out && this.varied) await this.vary(this.varied);
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

  /** Batch scoring: desktop — pick the input, then where to save; browser — upload, the result downloads. */
  async score(file?: File): Promise<void> {
    const model = this.model;
    if (!model) return;
    if (this.platform.shell) {
      const input = await this.errors.guard(() => this.platform.shell!.openDatasetDialog());
      if (!input) return;
      const output = await this.errors.guard(() => this.platform.shell!.chooseScoredFile('scored.csv'));
      if (!output) return;
      const r = await this.run(() => this.api.scoreFile({ modelId: model.modelId, input, output }));
      if (r) this.scoring = { rows: r.rows, output: r.output, warnings: r.warnings };
    } else if (file) {
      const r = await this.run(() => scoreUpload(model.modelId, file));
      if (r) this.scoring = { rows: r.rows, output: null, warnings: r.warnings };
    }
  }

  async export(defaultName: string): Promise<void> {
    const model = this.model;
    if (!model) return;
    const quantize = this.quantize;
    if (this.platform.shell) {
      const dir = await this.errors.guard(() => this.platform.shell!.chooseExportFolder(defaultName));
      if (!dir) return;
      const r = await this.run(() => this.api.exportModel({ modelId: model.modelId, dir, quantize }));
      if (r) this.exported = { where: r.dir, quantization: r.quantization };
    } else {
      const report = await this.run(() => downloadExport(model.modelId, quantize));
      if (report !== undefined) this.exported = { where: 'tickwork-model.zip (downloaded)', quantization: report };
    }
  }
}
