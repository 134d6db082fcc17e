/**
 * What one request's rows look like against the training data, as counts only (no values leave
 * the worker): per input, missing cells, rows per training bin, and unseen categories. The
 * supervisor adds these up over a sliding window (drift-window.ts) to get PSI and shares.
 */
import { columnIndex, isMissing, numberView, textView, type Table } from '../../models/data/table.js';
import { type FeatureSpec, type PreprocessingSpec } from '../../models/prep/preprocessing.js';
import { binIndex } from '../../models/prep/psi.js';
import type { DriftCounts, InputCounts } from './protocol.js';

/** The training shares a feature's bins are compared with; null when the export has none (or the kind has none). */
export function expectedShares(feature: FeatureSpec): number[] | null {
  switch (feature.kind) {
    case 'numeric':
      return feature.bins?.shares ?? null;
    case 'categorical':
      return feature.shares ?? null;
    case 'boolean':
      // fill is the share of true among the training rows that had a value.
      return [1 - feature.fill, feature.fill];
    case 'datetime':
      return null;
  }
}

function countFeature(feature: FeatureSpec, table: Table): InputCounts {
  const column = table.columns[columnIndex(table, feature.name)];
  const n = table.rowCount;
  if (feature.kind === 'numeric') {
    const { values } = numberView(column);
    const edges = feature.bins?.edges ?? null;
    const bins = edges ? new Array<number>(edges.length + 1).fill(0) : null;
    let missing = 0;
    for (let r = 0; r < n; r++) {
      const x = values[r];
      if (x !== x) {
        // A cell that is not a number makes the request fail before this; NaN here is missing.
        missing++;
        continue;
      }
      if (bins) bins[binIndex(edges!, x)]++;
    }
    return { missing, bins, unseen: null };
  }
  if (feature.kind === 'categorical') {
    const { codes, dictionary } = textView(column);
    const slotOf = new Map(feature.categories.map((c, k) => [c, k]));
    const other = feature.categories.length; // the last bin: rare training categories and unseen ones
    const slot = Int32Array.from(dictionary, (v) => slotOf.get(v) ?? other);
    const bins = feature.shares ? new Array<number>(feature.categories.length + 1).fill(0) : null;
    let missing = 0;
    let unseen = 0;
    for (let r = 0; r < n; r++) {
      const k = codes[r];
      if (k < 0) {
        missing++;
        continue;
      }
      // Not one of the model's categories (as scoringWarnings counts them): rare in training or new.
      if (slot[k] === other) unseen++;
      if (bins) bins[slot[k]]++;
    }
    return { missing, bins, unseen };
  }
  if (feature.kind === 'boolean') {
    const { codes, dictionary } = textView(column);
    const bit = dictionary.map((v) => (feature.trueValues.includes(v.trim().toLowerCase()) ? 1 : 0));
    const bins = [0, 0];
    let missing = 0;
    for (let r = 0; r < n; r++) {
      const k = codes[r];
      if (k < 0) missing++;
      else bins[bit[k]]++;
    }
    return { missing, bins, unseen: null };
  }
  let missing = 0;
  for (let r = 0; r < n; r++) if (isMissing(column, r)) missing++;
  return { missing, bins: null, unseen: null };
}

/** Counts per input (in the order of spec.features) for every row of the table. */
export function driftCounts(spec: PreprocessingSpec, table: Table): DriftCounts {
  return { rows: table.rowCount, inputs: spec.features.map((f) => countFeature(f, table)) };
}

/** Add `more` into `into` (same model): the counts of both sets of rows. */
export function addCounts(into: DriftCounts, more: DriftCounts): void {
  into.rows += more.rows;
  more.inputs.forEach((m, i) => {
    const t = into.inputs[i];
    t.missing += m.missing;
    if (t.unseen !== null && m.unseen !== null) t.unseen += m.unseen;
    if (t.bins && m.bins) for (let b = 0; b < t.bins.length; b++) t.bins[b] += m.bins[b];
  });
}
