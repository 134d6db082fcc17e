/**
 * Where each original input column lives in the encoded vector: a contiguous block of
 * `width` inputs from `offset` (1 for a numeric or boolean column, one per category (+ "(other)")
 * for a categorical column, one per date part for a date). The encoder writes each block from its
 * own column only, so permuting the rows of a block is the same as permuting the raw column and
 * encoding again — which is how permutation importance and partial dependence move a column.
 */
import { featureWidth, type FeatureSpec, type PreprocessingSpec } from '../prep/preprocessing.js';

export interface FeatureBlock {
  column: string;
  kind: FeatureSpec['kind'];
  offset: number;
  width: number;
}

export function featureBlocks(spec: Pick<PreprocessingSpec, 'features' | 'encoded'>): FeatureBlock[] {
  let offset = 0;
  const blocks = spec.features.map((feature) => {
    const block = { column: feature.name, kind: feature.kind, offset, width: featureWidth(feature) };
    offset += block.width;
    return block;
  });
  if (offset !== spec.encoded.length) throw new RangeError(`the preprocessing spec encodes ${offset} inputs but names ${spec.encoded.length}`);
  return blocks;
}

/** Copy of x (rows×cols) with block `block`'s values of row i taken from row order[i]. */
export function permuteBlock(x: Float32Array, rows: number, cols: number, block: FeatureBlock, order: ArrayLike<number>, out = new Float32Array(x)): Float32Array {
  const { offset, width } = block;
  for (let i = 0; i < rows; i++) {
    const from = order[i] * cols + offset;
    const to = i * cols + offset;
    for (let j = 0; j < width; j++) out[to + j] = x[from + j];
  }
  return out;
}
