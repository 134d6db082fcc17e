/**
 * Before scoring new data, compare it with what the model was trained on and say, with counts,
 * what looks different: extra columns (ignored), categories never seen in training (encoded as
 * all zeros), numbers far outside the training range, and a much larger share of missing cells.
 * Missing columns are an error (encodeFeatures throws); everything here is a warning.
 */
import { columnIndex, isMissing, lineOf, numberView, textView, type Table } from '../data/table.js';
import type { PreprocessingSpec } from './preprocessing.js';

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

export function scoringWarnings(spec: PreprocessingSpec, table: Table): string[] {
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
      // "Far": beyond the training range by more than the range's own width (or 3 std for a constant column).
      const margin = lo !== undefined && hi !== undefined ? Math.max(hi - lo, 3 * feature.std) : Infinity;
      const { values, invalid } = numberView(column);
      for (let r = 0; r < values.length; r++) {
        const x = values[r];
        if (x !== x) {
          if (!invalid.has(r)) missing++;
          continue;
        }
        if (lo !== undefined && hi !== undefined && (x < lo - margin || x > hi + margin)) {
          outside++;
          example ??= { value: String(x), row: r };
        }
      }
      if (outside > 0) {
        warnings.push(
          `column "${feature.name}": ${outside} value(s) far outside the training range [${lo}, ${hi}] (e.g. ${example!.value} at line ${lineOf(table, example!.row)}); predictions there are extrapolations.`,
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
