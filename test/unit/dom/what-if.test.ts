/**
 * The what-if row: typical values, and the prediction along one varied input (state class
 * through a fake API, and the chart series it becomes).
 */
import { describe, expect, it } from 'vitest';
import { PredictState, VARY_POINTS } from '../../../renderer/features/predict/predict.svelte';
import { variationSeries } from '../../../renderer/features/predict/variation';
import { ErrorBanner } from '../../../renderer/lib/errors.svelte';
import type { ModelInfo, Prediction } from '../../../shared/contract';
import { BrowserHost } from '../../../renderer/lib/browser-host';
import { fakeApi } from '../../helpers/fake-api';

const model: ModelInfo = {
  modelId: 'm1',
  runId: 'r1',
  task: 'binary',
  target: 'churn',
  inputs: ['age', 'plan'],
  typical: { age: '40', plan: 'basic' },
  ranges: { age: { min: 20, max: 60 } },
  labels: ['no', 'yes'],
  positiveClass: 'yes',
  threshold: 0.5,
  metrics: null,
  source: 'run r1',
};

describe('what-if', () => {
  it('starts from typical values and varies one numeric input over its range, the rest of the row as entered', async () => {
    const fake = fakeApi({
      getModel: async () => model,
      predict: async ({ rows }) => ({ predictions: rows.map((r) => ({ prediction: Number(r.age) > 40 ? 'yes' : 'no', probabilities: { no: 0.3, yes: 0.7 } })) }) as never,
    });
    const predict = new PredictState(new BrowserHost(fake.api), new ErrorBanner());
    await predict.useModel('m1');
    predict.fillTypical();
    expect(predict.whatIf).toEqual({ age: '40', plan: 'basic' });
    predict.whatIf.plan = 'pro';
    await predict.vary('age');
    const sent = fake.calls.filter((c) => c.method === 'predict').at(-1)!.input as { rows: Array<Record<string, string | null>> };
    expect(sent.rows).toHaveLength(VARY_POINTS);
    expect(sent.rows.every((r) => r.plan === 'pro')).toBe(true);
    const ages = sent.rows.map((r) => Number(r.age));
    expect(ages[0]).toBeCloseTo(18); // 5% margins on 20–60
    expect(ages.at(-1)).toBeCloseTo(62);
    expect(predict.variation?.at).toBe(40);
    // A later prediction refreshes the variation with the row as it is then.
    predict.whatIf.age = '';
    await predict.predict();
    expect(predict.variation?.at).toBeNull();
    // A categorical input cannot be varied.
    await predict.vary('plan');
    expect(predict.variation).toBeNull();
  });

  it('series: a probability line per class, or the regression prediction', () => {
    const xs = [1, 2];
    const classes: Prediction[] = [
      { prediction: 'no', probabilities: { no: 0.8, yes: 0.2 } },
      { prediction: 'yes', probabilities: { no: 0.4, yes: 0.6 } },
    ];
    const c = variationSeries(xs, classes, ['no', 'yes']);
    expect(c.yLabel).toBe('probability');
    expect(c.series.map((s) => [s.label, s.points.map((p) => p.y)])).toEqual([['P(no)', [0.8, 0.4]], ['P(yes)', [0.2, 0.6]]]);
    const r = variationSeries(xs, [{ prediction: 10, probabilities: null }, { prediction: 12.5, probabilities: null }], null);
    expect(r.series[0].points).toEqual([{ x: 1, y: 10 }, { x: 2, y: 12.5 }]);
  });
});
