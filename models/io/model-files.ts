/**
 * The shape of a saved tfjs Layers model as plain data — no tfjs import, so the service and the
 * Electron main process can hold and write models without loading TensorFlow.js.
 */

/** One weight's entry in model.json's weightsManifest (as tfjs writes it). */
export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  quantization?: object;
}

export interface ModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: object;
  weightsManifest: Array<{ paths: string[]; weights: WeightsManifestEntry[] }>;
}

export interface ModelArtifactsData {
  modelJson: ModelJson;
  weights: Uint8Array;
}

export const WEIGHTS_FILE = 'weights.bin';
