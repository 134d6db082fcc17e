/**
 * The training-speed benchmark's data: seeded rows of standard-normal features and a binary
 * label y = 1[Σ aᵢ·xᵢ > 0] (aᵢ = 1 for every third feature, −0.5 otherwise), as arrays for the
 * in-process timing and as a CSV that `tickwork train` and the PyTorch script both read.
 */
import { createWriteStream } from 'node:fs';
import { createRng, normal } from '../models/random.js';
import type { DataPart } from '../models/train/loop.js';

export function syntheticRows(rows: number, features: number, seed = 1): DataPart {
  const rng = createRng(seed);
  const x = new Float32Array(rows * features);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < features; c++) {
      const v = normal(rng);
      x[r * features + c] = v;
      s += (c % 3 === 0 ? 1 : -0.5) * v;
    }
    y[r] = s > 0 ? 1 : 0;
  }
  return { x, y, rows, cols: features };
}

/** The rows as CSV (f0…f{d−1}, label; 5 decimals), streamed to `path`. */
export async function writeCsv(path: string, data: DataPart): Promise<void> {
  const stream = createWriteStream(path);
  const header = Array.from({ length: data.cols }, (_, c) => `f${c}`).join(',') + ',label\n';
  let buffer = header;
  for (let r = 0; r < data.rows; r++) {
    let line = '';
    for (let c = 0; c < data.cols; c++) line += data.x[r * data.cols + c].toFixed(5) + ',';
    buffer += line + data.y[r] + '\n';
    if (buffer.length > 1 << 20) {
      if (!stream.write(buffer)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
      buffer = '';
    }
  }
  stream.end(buffer);
  await new Promise<void>((resolve, reject) => stream.on('finish', resolve).on('error', reject));
}

/** The first `rows` rows (the in-process runs train on as many rows as `tickwork train` keeps after its 70/15/15 split). */
export function head(data: DataPart, rows: number): DataPart {
  return { x: data.x.subarray(0, rows * data.cols), y: data.y.subarray(0, rows), rows, cols: data.cols };
}
