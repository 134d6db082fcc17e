/**
 * The what-if row's prediction along one varied input, as chart series: a regression's
 * prediction, or one probability line per class.
 */
import type { Prediction } from '../../../shared/contract.js';
import type { Series } from '../../components/series.js';
import { CLASS_COLOURS as COLOURS } from '../../lib/colours.js';

export function variationSeries(xs: number[], predictions: Prediction[], labels: string[] | null): { series: Series[]; yLabel: string } {
  if (!labels) {
    return { yLabel: 'prediction', series: [{ label: 'prediction', color: COLOURS[1], points: xs.map((x, i) => ({ x, y: Number(predictions[i].prediction) })) }] };
  }
  return {
    yLabel: 'probability',
    series: labels.map((label, k) => ({
      label: `P(${label})`,
      color: COLOURS[k % COLOURS.length],
      points: xs.map((x, i) => ({ x, y: predictions[i].probabilities?.[label] ?? NaN })),
    })),
  };
}
