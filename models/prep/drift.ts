/**
 * Before scoring new data, compare it with what the model was trained on and say, with counts,
 * what looks different: extra columns (ignored), categories never seen in training (encoded as
 * all zeros), numbers far outside the training range, and a much larger share of missing cells.
 * Missing columns are an error (encodeFeatures throws); everything here is a warning.
 * `scoringWarnings` speaks about the whole table; `rowWarnings` says the same per row (the
 * scoring service answers both).
 */
import { columnIndex, isMissing, lineOf, numberView, textView, type Table } from '../data/table.js';
import type { NumericFeature, PreprocessingSpec } from './preprocessing.js';

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

/**
 * The range outside which a value is "far": beyond the training range by more than the range's
 * own width (or 3 std for a constant column); null when the export has no range.
 */
function farRange(feature: NumericFeature): { lo: number; hi: number } | null {
  const { min: lo, max: hi } = feature;
  if (lo === undefined || hi === undefined) return null;
  const margin = Math.max(hi - lo, 3 * feature.std);
  return { lo: lo - margin, hi: hi + margin };
}

export interface WarningOptions {
  /** How a row is named in a message: by default its file line ("line 3"). */
  rowLabel?: (row: number) => string;
}

export function scoringWarnings(spec: PreprocessingSpec, table: Table, options: WarningOptions = {}): string[] {
  const rowLabel = options.rowLabel ?? ((r: number) => `line ${lineOf(table, r)}`);
  const warnings: string[] = [];
  const known = new Set([...spec.inputs, spec.target]);
  const extra = table.columnNames.filter((c) => !known.has(c));
  if (extra.length > 0) warnings.push(`${extra.length} column(s) the model does not use are ignored: ${extra.slice(0, 8).join(', ')}${extra.length > 8 ? ', …' : ''}.`);
  const n = Math.max(1, table.rowCount);
  for (const feature of spec.features) {
    const c = columnIndex(table, feature.name);
    if (c < 0) continue;
    const column = table.columns[c];
    let missing = 0;
    if (feature.kind === 'numeric') {
      const lo = feature.min;
      const hi = feature.max;
      let outside = 0;
      let example: { value: string; row: number } | null = null;
      const far = farRange(feature);
      const { values, invalid } = numberView(column);
      for (let r = 0; r < values.length; r++) {
        const x = values[r];
        if (x !== x) {
          if (!invalid.has(r)) missing++;
          continue;
        }
        if (far && (x < far.lo || x > far.hi)) {
          outside++;
          example ??= { value: String(x), row: r };
        }
      }
      if (outside > 0) {
        warnings.push(
          `column "${feature.name}": ${outside} value(s) far outside the training range [${lo}, ${hi}] (e.g. ${example!.value} at ${rowLabel(example!.row)}); predictions there are extrapolations.`,
        );
      }
    } else if (feature.kind === 'categorical') {
      const categories = new Set(feature.categories);
      const { codes, dictionary } = textView(column);
      const known = dictionary.map((v) => categories.has(v));
      let unseen = 0;
      const examples = new Set<string>();
      for (let r = 0; r < codes.length; r++) {
        const k = codes[r];
        if (k < 0) missing++;
        else if (!known[k]) {
          unseen++;
          if (examples.size < 3) examples.add(dictionary[k]);
        }
      }
      if (unseen > 0) {
        const where = feature.other ? 'they go to "(other)" with the rare training categories' : 'they are encoded as no category';
        warnings.push(
          `column "${feature.name}": ${unseen} row(s) have categories not seen in training (${[...examples].map((e) => `"${e}"`).join(', ')}); ${where}.`,
        );
      }
    } else {
      for (let r = 0; r < table.rowCount; r++) if (isMissing(column, r)) missing++;
    }
    const share = missing / n;
    const trained = feature.missingShare;
    if (trained !== undefined && share > trained + 0.1 && share > 2 * trained) {
      warnings.push(`column "${feature.name}": ${pct(share)} missing (${missing} rows) against ${pct(trained)} in training; they are filled as in training.`);
    }
  }
  return warnings;
}

/**
 * Per row, the warnings that concern that row alone: a number far outside the training range
 * (same rule as scoringWarnings) and a category never seen in training. Rows without any get [].
 */
export function rowWarnings(spec: PreprocessingSpec, table: Table): string[][] {
  const out: string[][] = Array.from({ length: table.rowCount }, () => []);
  for (const feature of spec.features) {
    const c = columnIndex(table, feature.name);
    if (c < 0) continue;
    const column = table.columns[c];
    if (feature.kind === 'numeric') {
      const far = farRange(feature);
      if (!far) continue;
      const { values } = numberView(column);
      for (let r = 0; r < values.length; r++) {
        const x = values[r];
        if (x < far.lo || x > far.hi) {
          out[r].push(`column "${feature.name}": ${x} is far outside the training range [${feature.min}, ${feature.max}]; the prediction is an extrapolation.`);
        }
      }
    } else if (feature.kind === 'categorical') {
      const categories = new Set(feature.categories);
      const { codes, dictionary } = textView(column);
      const where = feature.other ? 'it goes to "(other)"' : 'it is encoded as no category';
      for (let r = 0; r < codes.length; r++) {
        const k = codes[r];
        if (k >= 0 && !categories.has(dictionary[k])) out[r].push(`column "${feature.name}": "${dictionary[k]}" was not seen in training; ${where}.`);
      }
    }
  }
  return out;
}
