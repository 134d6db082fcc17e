import { describe, expect, it } from 'vitest';
import { partialDependence } from '../../../models/evaluation/partial-dependence';
import { LETTERS, linearPredictor, synthetic } from '../../helpers/synthetic';

describe('partial dependence', () => {
  it('numeric column over its training range: a linear model\'s curve has the model\'s slope; ICE curves are parallel', async () => {
    const { table, spec, split } = synthetic(800, 6, 'regression');
    const predict = linearPredictor(spec, table, split.train);
    const pd = await partialDependence({ spec, table, rows: split.train, column: 'x3', predict, gridSize: 11, iceCurves: 4 });
    const feature = spec.features.find((f) => f.name === 'x3')!;
    if (feature.kind !== 'numeric') throw new Error('x3 should be numeric');
    expect(pd.grid).toHaveLength(11);
    expect(pd.grid[0]).toBe(feature.min);
    expect(pd.grid[10]).toBe(feature.max);
    expect(pd.outputs).toEqual(['y']);
    // y = 10·(1.5·x3 + …) + 100: a slope of 15 per unit of x3, in the target's units.
    const slope = (pd.mean[10][0] - pd.mean[0][0]) / ((pd.grid[10] as number) - (pd.grid[0] as number));
    expect(slope).toBeCloseTo(15, 0);
    expect(pd.ice).toHaveLength(4);
    for (const curve of pd.ice) expect(curve.values[10][0] - curve.values[0][0]).toBeCloseTo(pd.mean[10][0] - pd.mean[0][0], 2);
  });

  it('categorical column over its categories: P(yes) rises with the effect a < b < c < d; an unrelated column is flat', async () => {
    const { table, spec, split } = synthetic(1500, 7);
    const predict = linearPredictor(spec, table, split.train);
    const pd = await partialDependence({ spec, table, rows: split.validation, column: 'c7', predict });
    expect(pd.grid).toEqual(LETTERS);
    expect(pd.outputs).toEqual(['yes']);
    const p = pd.mean.map((m) => m[0]);
    expect(p[0]).toBeLessThan(p[1]);
    expect(p[1]).toBeLessThan(p[2]);
    expect(p[2]).toBeLessThan(p[3]);
    const flat = await partialDependence({ spec, table, rows: split.validation, column: 'x5', predict });
    const values = flat.mean.map((m) => m[0]);
    expect(Math.max(...values) - Math.min(...values)).toBeLessThan(0.1 * (p[3] - p[0]));
  });

  it('names the inputs when the column is not one', async () => {
    const { table, spec, split } = synthetic(50, 8);
    await expect(partialDependence({ spec, table, rows: split.train, column: 'nope', predict: linearPredictor(spec, table, split.train) })).rejects.toThrow(
      /"nope" is not an input of this model; its inputs are: x0, x1/,
    );
  });
});
