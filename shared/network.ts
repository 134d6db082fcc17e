/**
 * The network a model spec describes, layer by layer: what each hidden layer resolves to (its
 * own settings over the model-wide ones) and the parameter count of every layer. Plain
 * TypeScript, shared by the engine (which builds exactly these layers), the service's run plan
 * and the Model panel's summary and diagram.
 */
import type { Activation, ModelSpec, Task } from './run-config.js';

export interface ResolvedLayer {
  units: number;
  activation: Activation;
  dropout: number;
  batchNorm: boolean;
  l1: number;
  l2: number;
}

/** Every hidden layer with all its settings filled in from the model-wide ones. */
export function resolveLayers(spec: ModelSpec): ResolvedLayer[] {
  return spec.hidden.map((layer) => {
    const own = typeof layer === 'number' ? { units: layer } : layer;
    return {
      units: own.units,
      activation: own.activation ?? spec.activation,
      dropout: own.dropout ?? spec.dropout,
      batchNorm: own.batchNorm ?? spec.batchNorm,
      l1: own.l1 ?? spec.l1,
      l2: own.l2 ?? spec.l2,
    };
  });
}

export function outputUnits(task: Task, classes: number): number {
  return task === 'multiclass' ? classes : 1;
}

export function outputActivation(task: Task): 'sigmoid' | 'softmax' | 'linear' {
  return task === 'binary' ? 'sigmoid' : task === 'multiclass' ? 'softmax' : 'linear';
}

export interface NetworkRow {
  /** The layer's name in the saved model (dense_1, bn_1, output). */
  name: string;
  kind: 'input' | 'dense' | 'batchnorm' | 'dropout' | 'output';
  units: number;
  /** Activation (dense / output), rate (dropout), penalties (dense); for the summary line. */
  detail: string;
  /** Trainable parameters (BatchNorm: γ and β; its moving mean and variance are not trained). */
  params: number;
}

export interface NetworkSummary {
  rows: NetworkRow[];
  trainable: number;
  /** BatchNorm moving statistics: saved with the model, not trained. */
  nonTrainable: number;
}

function penalties(layer: { l1: number; l2: number }): string {
  return [layer.l1 > 0 ? `L1 ${layer.l1}` : '', layer.l2 > 0 ? `L2 ${layer.l2}` : ''].filter(Boolean).join(', ');
}

/** The network summary Keras' model.summary() would print, with dropout shown as its own row. */
export function summarizeNetwork(spec: ModelSpec, task: Task, inputSize: number, classes: number): NetworkSummary {
  const rows: NetworkRow[] = [{ name: 'input', kind: 'input', units: inputSize, detail: '', params: 0 }];
  let width = inputSize;
  let nonTrainable = 0;
  resolveLayers(spec).forEach((layer, i) => {
    const n = i + 1;
    rows.push({ name: `dense_${n}`, kind: 'dense', units: layer.units, detail: [layer.activation, penalties(layer)].filter(Boolean).join(', '), params: width * layer.units + layer.units });
    if (layer.batchNorm) {
      rows.push({ name: `bn_${n}`, kind: 'batchnorm', units: layer.units, detail: '', params: 2 * layer.units });
      nonTrainable += 2 * layer.units;
    }
    if (layer.dropout > 0) rows.push({ name: `dropout_${n}`, kind: 'dropout', units: layer.units, detail: `rate ${layer.dropout}`, params: 0 });
    width = layer.units;
  });
  const out = outputUnits(task, classes);
  rows.push({ name: 'output', kind: 'output', units: out, detail: [outputActivation(task), penalties(spec)].filter(Boolean).join(', '), params: width * out + out });
  return { rows, trainable: rows.reduce((sum, r) => sum + r.params, 0), nonTrainable };
}

/** "16 tanh (batch norm) → 8 relu (dropout 0.2)", or "no hidden layers", for tables and READMEs. */
export function describeNetwork(spec: ModelSpec): string {
  const layers = resolveLayers(spec);
  if (layers.length === 0) return 'no hidden layers';
  return layers
    .map((l) => {
      const extras = [l.batchNorm ? 'batch norm' : '', l.dropout > 0 ? `dropout ${l.dropout}` : '', penalties(l)].filter(Boolean);
      return `${l.units} ${l.activation}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`;
    })
    .join(' → ');
}
