/** Inference with a tfjs model, in chunks: the exported model's own forward pass. */
import * as tf from '@tensorflow/tfjs';

/** Forward pass in chunks (inference mode); returns the output row-major. */
export function predictRows(model: tf.LayersModel, x: Float32Array, rows: number, cols: number, chunk = 4096): Float32Array {
  const units = (model.outputs[0].shape[1] as number) ?? 1;
  const out = new Float32Array(rows * units);
  for (let start = 0; start < rows; start += chunk) {
    const end = Math.min(rows, start + chunk);
    const values = tf.tidy(() => {
      const input = tf.tensor2d(x.subarray(start * cols, end * cols), [end - start, cols]);
      // One forward pass per chunk: model.predict's own batching (32 rows) slices the input, and
      // tfjs-wasm's slice reads the whole input back to JS each time (measured: 16% of a run).
      return (model.predict(input, { batchSize: end - start }) as tf.Tensor).dataSync() as Float32Array;
    });
    out.set(values, start * units);
  }
  return out;
}
