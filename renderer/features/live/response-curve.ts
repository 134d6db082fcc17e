/**
 * The response curve's series: what the model predicts along one numeric input, with the
 * training rows on it. Regression: the prediction over the actual values; binary: P(second
 * class) over the rows at 0 and 1; multiclass: the probability of the predicted class, one
 * colour per class (gaps where another class is predicted), over a rug of rows at 0.
 */
import type { Series } from '../../components/series.js';
import type { Surface } from '../../../shared/contract.js';

export function responseCurve(surface: Surface, colours: readonly string[]): { series: Series[]; yLabel: string } {
  const { labels, values, confidence, points } = surface;
  const colour = (k: number) => colours[k % colours.length];
  const at = (i: number) => surface.x.min + ((i + 0.5) / surface.size) * (surface.x.max - surface.x.min);
  if (labels === null) {
    return {
      yLabel: 'predicted / actual',
      series: [
        { label: 'training rows (actual)', color: '#999999', points: points.map((p) => ({ x: p.x, y: p.y })) },
        { label: 'prediction', color: colour(1), width: 2.5, line: true, points: values.map((v, i) => ({ x: at(i), y: v })) },
      ],
    };
  }
  const rows = labels.map((l, k): Series => ({
    label: `${l} (training rows)`,
    color: colour(k),
    points: points.filter((p) => p.label === k).map((p) => ({ x: p.x, y: confidence ? 0 : k })),
  }));
  if (!confidence) {
    return {
      yLabel: `P(${labels[1]})`,
      series: [...rows, { label: `P(${labels[1]})`, color: colour(1), width: 2.5, line: true, points: values.map((v, i) => ({ x: at(i), y: v })) }],
    };
  }
  const lines = labels.map((l, k): Series => ({
    label: `${l} predicted`,
    color: colour(k),
    width: 2.5,
    line: true,
    points: values.map((v, i) => ({ x: at(i), y: v === k ? confidence[i] : NaN })),
  }));
  return { yLabel: 'probability of the predicted class', series: [...rows, ...lines] };
}
