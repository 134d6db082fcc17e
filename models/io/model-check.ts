/**
 * A model read from disk is checked before anything uses it, so a damaged or hand-edited export
 * is refused with a plain message instead of failing inside tfjs (a stack trace) or, worse,
 * predicting NaN or the wrong labels:
 *
 *   checkManifest  every weight's shape is a list of positive whole numbers and the model is not
 *                  absurdly large (before the weight bytes are even compared)
 *   checkModel     the weights' shapes against the layers the topology describes (Dense kernel
 *                  [inputs, units] and bias [units], BatchNormalization's four [units]), every
 *                  weight finite, the output units against the labels, and the preprocessing's
 *                  encoded inputs against the first layer
 *
 * No tfjs here: plain data (model.json, the weight bytes, preprocessing.json).
 */
import { TickworkError } from '../../shared/errors.js';
import { featureWidth, type PreprocessingSpec } from '../prep/preprocessing.js';
import type { ModelArtifactsData, ModelJson, WeightsManifestEntry } from './model-files.js';
import { readFloatWeights } from './quantize.js';

/** More parameters than any network a run may train (16 layers of 4,096 units is 2.7 × 10⁸). */
export const MAX_PARAMETERS = 5e8;

function damaged(label: string, what: string): TickworkError {
  return new TickworkError('bad_data', `The model in ${label} is damaged: ${what}. Export it again from Tickwork (or from the run: tickwork export --model run:ID).`);
}

/** Shapes are lists of positive whole numbers; the total stays below MAX_PARAMETERS. */
export function checkManifest(label: string, modelJson: ModelJson): void {
  let total = 0;
  for (const group of modelJson.weightsManifest) {
    if (!group || !Array.isArray(group.weights)) throw damaged(label, 'model.json has a weightsManifest group without a weights list');
    for (const w of group.weights) {
      if (!w || typeof w.name !== 'string') throw damaged(label, 'model.json lists a weight without a name');
      if (!Array.isArray(w.shape) || w.shape.some((d) => !Number.isInteger(d) || d < 1)) {
        throw damaged(label, `the weight ${w.name} has the shape ${JSON.stringify(w.shape)}; a shape is a list of positive whole numbers`);
      }
      if (w.dtype !== 'float32') throw damaged(label, `the weight ${w.name} has the type ${JSON.stringify(w.dtype)}; Tickwork models hold float32 weights`);
      const count = w.shape.reduce((a, b) => a * b, 1);
      total += count;
      if (total > MAX_PARAMETERS) {
        throw damaged(label, `model.json describes more than ${MAX_PARAMETERS.toExponential(0)} parameters (the weight ${w.name} alone has ${count.toExponential(2)}), far more than any network Tickwork trains`);
      }
    }
  }
}

interface LayerConfig {
  class_name: string;
  config: { name?: string; units?: number; batch_input_shape?: (number | null)[]; use_bias?: boolean };
}

/** The weights each layer of the topology needs, in order: [name, shape]. */
function expectedWeights(label: string, layers: LayerConfig[]): { weights: Array<[string, number[]]>; inputs: number; outputs: number } {
  const first = layers[0]?.config.batch_input_shape;
  const inputs = Array.isArray(first) ? first[first.length - 1] : null;
  if (typeof inputs !== 'number' || !Number.isInteger(inputs) || inputs < 1) throw damaged(label, 'model.json does not say how many inputs its first layer takes');
  const weights: Array<[string, number[]]> = [];
  let width = inputs;
  for (const layer of layers) {
    const name = layer.config?.name ?? '?';
    switch (layer.class_name) {
      case 'Dense': {
        const units = layer.config.units;
        if (!Number.isInteger(units) || units! < 1) throw damaged(label, `the layer ${name} has ${JSON.stringify(units)} units`);
        weights.push([`${name}/kernel`, [width, units!]]);
        if (layer.config.use_bias !== false) weights.push([`${name}/bias`, [units!]]);
        width = units!;
        break;
      }
      case 'BatchNormalization':
        for (const part of ['gamma', 'beta', 'moving_mean', 'moving_variance']) weights.push([`${name}/${part}`, [width]]);
        break;
      case 'Dropout':
      case 'Activation':
        break;
      default:
        throw damaged(label, `model.json has a ${layer.class_name} layer (${name}); Tickwork models are made of Dense, BatchNormalization and Dropout layers`);
    }
  }
  return { weights, inputs, outputs: width };
}

/** The whole check, after the weight bytes were found to match the manifest's sizes. */
export function checkModel(label: string, artifacts: ModelArtifactsData, spec: PreprocessingSpec): void {
  const topology = artifacts.modelJson.modelTopology as { config?: { layers?: LayerConfig[] } } | undefined;
  const layers = topology?.config?.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw damaged(label, 'model.json has no layers');

  // Shapes: what the topology needs against what the manifest holds.
  const { weights: wanted, inputs, outputs } = expectedWeights(label, layers);
  const listed: WeightsManifestEntry[] = artifacts.modelJson.weightsManifest.flatMap((g) => g.weights);
  const byName = new Map(listed.map((w) => [w.name, w]));
  for (const [name, shape] of wanted) {
    const w = byName.get(name);
    if (!w) throw damaged(label, `model.json's layers need the weight ${name}, which its weightsManifest does not list`);
    if (w.shape.join(',') !== shape.join(',')) {
      throw damaged(label, `the weight ${name} has the shape [${w.shape.join(', ')}] but its layer needs [${shape.join(', ')}]`);
    }
  }
  if (listed.length !== wanted.length) {
    const extra = listed.filter((w) => !wanted.some(([n]) => n === w.name)).map((w) => w.name);
    throw damaged(label, `model.json's weightsManifest lists weights no layer uses: ${extra.slice(0, 5).join(', ')}`);
  }

  // Finite weights: a NaN or ±Inf weight makes every prediction NaN.
  for (const [name, { values }] of readFloatWeights(artifacts)) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw damaged(label, `the weight ${name} holds ${values[i]} at position ${i}; every weight must be a finite number`);
    }
  }

  // Labels against the output units.
  const units = outputs;
  const labels = spec.labels;
  if (spec.task === 'regression') {
    if (units !== 1) throw damaged(label, `a regression model has one output, this one has ${units}`);
  } else {
    if (!Array.isArray(labels)) throw damaged(label, `preprocessing.json has no labels for this ${spec.task} model`);
    if (new Set(labels).size !== labels.length) throw damaged(label, `preprocessing.json lists a label twice (${labels.join(', ')})`);
    if (spec.task === 'binary' && (labels.length !== 2 || units !== 1)) {
      throw damaged(label, `a binary model has 2 labels and one output; preprocessing.json lists ${labels.length} label(s) and the model has ${units} output(s)`);
    }
    if (spec.task === 'multiclass' && labels.length !== units) {
      throw damaged(label, `preprocessing.json lists ${labels.length} labels (${labels.slice(0, 5).join(', ')}${labels.length > 5 ? ', …' : ''}) but the model has ${units} outputs`);
    }
  }

  // Preprocessing against the inputs: the encoded vector is what the first layer takes.
  if (!Array.isArray(spec.features) || !Array.isArray(spec.encoded) || !Array.isArray(spec.inputs)) {
    throw damaged(label, 'preprocessing.json lacks its features, inputs or encoded list');
  }
  const width = spec.features.reduce((sum, f) => sum + featureWidth(f), 0);
  if (spec.encoded.length !== inputs || width !== inputs) {
    throw damaged(
      label,
      `preprocessing.json encodes ${spec.encoded.length} input values (its features make ${width}) but the model's first layer takes ${inputs}`,
    );
  }
  const inputSet = new Set(spec.inputs);
  const unknown = spec.features.filter((f) => !inputSet.has(f.name)).map((f) => f.name);
  if (unknown.length > 0) throw damaged(label, `preprocessing.json encodes column(s) ${unknown.join(', ')} that are not among its inputs`);
  for (const f of spec.features) {
    if (f.kind === 'numeric' && ![f.fill, f.center, f.scale].every(Number.isFinite)) {
      throw damaged(label, `preprocessing.json scales ${f.name} by ${f.scale} around ${f.center} (missing → ${f.fill}); each must be a finite number`);
    }
  }
}
