/**
 * Model panel state: the hidden layers as the user edits them (each with its own activation,
 * dropout, batch norm and L1/L2) and the presets. The service's plan for these layers lives in
 * RunPlanResource (training/run-plan.svelte.ts).
 */
import type { ModelSpecInput } from '../../../shared/run-config.js';
import type { ResolvedLayer } from '../../../shared/network.js';

/** A hidden layer as the editor holds it: every setting written out (a resolved layer), plus a list key. */
export interface EditableLayer extends ResolvedLayer {
  /** Stable key for the editor's keyed list (not part of the spec). */
  key: number;
}

type LayerSettings = ResolvedLayer;

const dense = (units: number, extra: Partial<LayerSettings> = {}): LayerSettings => ({
  units,
  activation: 'relu',
  dropout: 0,
  batchNorm: false,
  l1: 0,
  l2: 0,
  ...extra,
});

export const MODEL_PRESETS: Record<string, { help: string; layers: LayerSettings[] }> = {
  'logistic regression': { help: 'no hidden layer: a linear model of the inputs', layers: [] },
  'classic 64 ReLU': { help: 'one hidden layer of 64 ReLU units', layers: [dense(64)] },
  'two layers 64-64': { help: 'two hidden layers of 64 ReLU units', layers: [dense(64), dense(64)] },
  'deeper MLP 128-64-32': {
    help: 'three layers with batch norm and dropout, for larger data',
    layers: [dense(128, { batchNorm: true, dropout: 0.1 }), dense(64, { batchNorm: true, dropout: 0.1 }), dense(32)],
  },
};

export class ModelState {
  layers = $state<EditableLayer[]>([]);
  preset = $state<string>('two layers 64-64');

  private nextKey = 1;

  constructor() {
    this.applyPreset(this.preset);
  }

  applyPreset(name: string): void {
    const preset = MODEL_PRESETS[name];
    if (!preset) return;
    this.preset = name;
    this.layers = preset.layers.map((l) => ({ ...l, key: this.nextKey++ }));
  }

  /** Add a layer after `index` (at the end by default), copying the settings of the one before it. */
  addLayer(index = this.layers.length - 1): void {
    const before = this.layers[index];
    const layer: EditableLayer = { ...(before ?? dense(32)), units: before ? Math.max(1, Math.round(before.units / 2)) : 32, key: this.nextKey++ };
    this.layers = [...this.layers.slice(0, index + 1), layer, ...this.layers.slice(index + 1)];
    this.preset = '';
  }

  removeLayer(index: number): void {
    this.layers = this.layers.filter((_, i) => i !== index);
    this.preset = '';
  }

  moveLayer(index: number, by: -1 | 1): void {
    const to = index + by;
    if (to < 0 || to >= this.layers.length) return;
    const next = [...this.layers];
    [next[index], next[to]] = [next[to], next[index]];
    this.layers = next;
    this.preset = '';
  }

  /** The layers and preset as plain data, to save with the session. */
  snapshot(): { preset: string; layers: LayerSettings[] } {
    return { preset: this.preset, layers: this.layers.map(({ key: _key, ...layer }) => ({ ...layer })) };
  }

  /** Layers saved by snapshot(); anything that does not look like a layer list is ignored. */
  restore(saved: unknown): void {
    const s = saved as { preset?: unknown; layers?: unknown } | null;
    if (!s || !Array.isArray(s.layers) || !s.layers.every((l) => typeof l === 'object' && l !== null && typeof (l as LayerSettings).units === 'number')) return;
    this.layers = (s.layers as LayerSettings[]).map((l) => ({ ...dense(l.units), ...l, key: this.nextKey++ }));
    this.preset = typeof s.preset === 'string' && s.preset in MODEL_PRESETS ? s.preset : '';
  }

  /** Mark the model as edited (no longer the named preset). */
  edited(): void {
    this.preset = '';
  }

  /**
   * The spec for the run config. Each layer is written out in full; a field the user cleared
   * (NaN from an empty number input) becomes 0 except units, which the service then rejects by name.
   */
  spec(): ModelSpecInput {
    const num = (v: number) => (Number.isFinite(v) ? v : 0);
    return {
      hidden: this.layers.map((l) => ({
        units: Number.isFinite(l.units) ? l.units : 0,
        activation: l.activation,
        dropout: num(l.dropout),
        batchNorm: l.batchNorm,
        l1: num(l.l1),
        l2: num(l.l2),
      })),
    };
  }
}
