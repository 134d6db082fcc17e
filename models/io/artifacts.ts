/**
 * A trained model as plain data: the tfjs Layers `model.json` object and the bytes of
 * `weights.bin`. This is what crosses from the worker to the service, lives in the model
 * registry, and is written to an export folder — no tensors, no backend needed to hold it.
 */
import * as tf from '@tensorflow/tfjs';
import { WEIGHTS_FILE, type ModelArtifactsData } from './model-files.js';

export type { ModelArtifactsData, ModelJson } from './model-files.js';

function joinWeightData(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const buffers = Array.isArray(data) ? data : [data];
  const total = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}

export async function modelToArtifacts(model: tf.LayersModel): Promise<ModelArtifactsData> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = captured as tf.io.ModelArtifacts | null;
  if (!artifacts || !artifacts.weightData || !artifacts.weightSpecs) throw new Error('model.save produced no weights');
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology as object,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    },
    weights: joinWeightData(artifacts.weightData as ArrayBuffer | ArrayBuffer[]),
  };
}

export async function artifactsToModel(data: ModelArtifactsData): Promise<tf.LayersModel> {
  const weightSpecs = data.modelJson.weightsManifest.flatMap((group) => group.weights);
  const weightData = data.weights.buffer.slice(data.weights.byteOffset, data.weights.byteOffset + data.weights.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: data.modelJson.modelTopology, weightSpecs, weightData: weightData as ArrayBuffer }),
  );
}
