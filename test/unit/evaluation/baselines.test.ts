import { beforeAll, describe, expect, it } from 'vitest';
import { baselineSampleSize, computeBaselines, sampleRows, type EncodedPart } from '../../../models/evaluation/baselines';
import { fitConstant, predictConstant } from '../../../models/evaluation/constant-baseline';
import { minimizeLbfgs } from '../../../models/evaluation/lbfgs';
import { fitLinear, predictLinear, solveCholesky } from '../../../models/evaluation/linear-regression';
import { fitLogistic, predictLogistic } from '../../../models/evaluation/logistic-regression';
import { computeMetrics } from '../../../models/train/metrics';
import { createRng, normal } from '../../../models/random';
import { linearRegressionInput, moonsInput } from '../../helpers/engine';
import { runPython, sklearnPython, SKLEARN_MISSING } from '../../helpers/sklearn';

/** n rows × d standard-normal features (float32), the loop's layout. */
function features(n: number, d: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * d }, () => normal(rng));
}

const W = [
  [1.5, -2, 0.5, 0, 1, -0.7],
  [-1, 0.5, 1.5, -0.5, 0, 0.3],
  [0.2, 1, -1, 1.2, -0.8, 0],
];

function classification(n: number, k: number, seed: number): EncodedPart {
  const d = 6;
  const x = features(n, d, seed);
  const rng = createRng(seed + 100);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: k === 2 ? 1 : k }, (_, c) => W[c].reduce((s, w, j) => s + w * x[i * d + j], c * 0.3));
    if (k === 2) y[i] = rng() < 1 / (1 + Math.exp(-(z[0] - 0.4))) ? 1 : 0;
    else {
      const e = z.map(Math.exp);
      let u = rng() * e.reduce((a, b) => a + b, 0);
      let c = 0;
      while (c < k - 1 && (u -= e[c]) > 0) c++;
      y[i] = c;
    }
  }
  return { x, y, rows: n, cols: d };
}

function regression(n: number, seed: number): EncodedPart {
  const d = 6;
  const x = features(n, d, seed);
  const rng = createRng(seed + 7);
  const y = Float32Array.from({ length: n }, (_, i) => 50 + W[0].reduce((s, w, j) => s + 10 * w * x[i * d + j], 0) + 3 * normal(rng));
  return { x, y, rows: n, cols: d };
}

const rowsOf = (p: EncodedPart) => Array.from({ length: p.rows }, (_, i) => Array.from(p.x.subarray(i * p.cols, (i + 1) * p.cols)));

describe('solvers', () => {
  it('L-BFGS finds the minimum of the Rosenbrock function', () => {
    const r = minimizeLbfgs(
      (x, g) => {
        const [a, b] = [x[0], x[1]];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.from([-1.2, 1]),
      { gradientTolerance: 1e-9, functionTolerance: 0 },
    );
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
  });

  it('Cholesky solves a symmetric positive-definite system', () => {
    const a = Float64Array.from([4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]);
    const x = solveCholesky(Float64Array.from(a), Float64Array.from([1, 2, 3]), 3);
    for (let i = 0; i < 3; i++) expect(a[i * 3] * x[0] + a[i * 3 + 1] * x[1] + a[i * 3 + 2] * x[2]).toBeCloseTo([1, 2, 3][i], 12);
  });

  it('linear regression survives collinear inputs (a one-hot block that sums to 1) thanks to its small ridge', () => {
    const n = 200;
    const x = new Float32Array(n * 3);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % 3;
      x[i * 3 + k] = 1;
      y[i] = [10, 20, 35][k];
    }
    const model = fitLinear(x, y, n, 3);
    const p = predictLinear(model, x, n);
    for (let i = 0; i < 3; i++) expect(p[i]).toBeCloseTo([10, 20, 35][i], 3);
  });

  it('logistic regression stays finite on separable data (the L2 penalty bounds the weights)', () => {
    const x = Float32Array.from([-2, -1, 1, 2]);
    const model = fitLogistic(x, [0, 0, 1, 1], 4, 1, 2);
    expect(Number.isFinite(model.weights[0])).toBe(true);
    expect(predictLogistic(model, Float32Array.from([3]), 1)[0]).toBeGreaterThan(0.99);
  });
});

describe('constant baseline', () => {
  it('predicts the training class shares (accuracy of the majority class; log loss = entropy of the shares)', () => {
    const y = Float32Array.from([0, 0, 0, 1]);
    const model = fitConstant('binary', y, 2);
    expect(model.output[0]).toBe(0.25);
    expect(model.majorityClass).toBe(0);
    const m = computeMetrics('binary', predictConstant(model, 4), y, 2);
    expect(m.accuracy).toBe(0.75);
    expect(m.loss).toBeCloseTo(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), 7);
    expect(m.auc).toBe(0.5);
    expect(m.recall).toBe(0); // it never finds a positive
  });

  it('predicts the training mean for regression (R² 0 on the training rows)', () => {
    const y = Float32Array.from([1, 2, 3, 6]);
    const model = fitConstant('regression', y, 1);
    expect(model.output).toEqual([3]);
    expect(computeMetrics('regression', predictConstant(model, 4), y, 1).r2).toBeCloseTo(0, 12);
  });

  it('multiclass shares, in the network layout n×k', () => {
    const model = fitConstant('multiclass', [0, 2, 2, 1, 2], 3);
    expect(model.output).toEqual([0.2, 0.2, 0.6]);
    expect(Array.from(predictConstant(model, 2))).toEqual(Array.from(Float32Array.from([0.2, 0.2, 0.6, 0.2, 0.2, 0.6])));
  });
});

describe('computeBaselines on the loop\'s own data', () => {
  it('binary (two moons): both baselines scored on validation and test with the network\'s metric names', () => {
    const input = moonsInput();
    const report = computeBaselines({ task: input.task, classes: input.classes, targetStats: null, train: input.train, validation: input.validation, test: input.test });
    const keys = Object.keys(computeMetrics('binary', new Float32Array(input.validation!.rows).fill(0.5), input.validation!.y, 2)).sort();
    expect(Object.keys(report.constant.validation!).sort()).toEqual(keys);
    expect(Object.keys(report.linear.test!).sort()).toEqual(keys);
    // A line separates the moons reasonably; the constant cannot.
    expect(report.linear.validation!.accuracy).toBeGreaterThan(0.75);
    expect(report.linear.validation!.loss).toBeLessThan(report.constant.validation!.loss);
    expect(report.constant.validation!.auc).toBe(0.5);
  });

  it('regression in the target\'s units: the linear baseline recovers y = 3·x1 − 2·x2 + 50', () => {
    const input = linearRegressionInput();
    const report = computeBaselines({ task: 'regression', classes: 1, targetStats: input.targetStats, train: input.train, validation: input.validation, test: input.test });
    expect(report.linear.validation!.rmse).toBeLessThan(0.2);
    expect(report.linear.validation!.r2).toBeGreaterThan(0.99);
    expect(report.constant.validation!.r2).toBeLessThan(0.05);
    // `loss` is mse / std², as for the network.
    expect(report.linear.validation!.loss).toBeCloseTo(report.linear.validation!.mse / input.targetStats!.std ** 2, 9);
  });

  it('fits on a seeded sample of at most maxTrainRows rows', () => {
    const train = classification(3000, 2, 1);
    const sample = sampleRows(train, 1000, 7);
    expect(sample.rows).toBe(1000);
    expect(sampleRows(train, 1000, 7).x).toEqual(sample.x);
    const report = computeBaselines({ task: 'binary', classes: 2, targetStats: null, train, validation: classification(500, 2, 2), test: null, maxTrainRows: 1000 });
    expect(report.linearTrainRows).toBe(1000);
    expect(report.linear.test).toBeNull();
  });

  it('fits on fewer rows when the data is wide, so the fit stays quick (never below 5,000)', () => {
    expect(baselineSampleSize('binary', 200_000, 50, 2)).toBe(50_000);
    expect(baselineSampleSize('multiclass', 200_000, 200, 10)).toBe(5_000); // 10⁷ / 2,000
    expect(baselineSampleSize('multiclass', 200_000, 100, 4)).toBe(25_000);
    expect(baselineSampleSize('regression', 200_000, 100, 1)).toBe(25_000); // 2.5·10⁸ / 100²
    expect(baselineSampleSize('regression', 3_000, 500, 1)).toBe(3_000);
  });
});

describe.skipIf(!sklearnPython)(`linear baselines against scikit-learn${sklearnPython ? '' : ` (${SKLEARN_MISSING})`}`, () => {
  const l2 = 1e-4;
  const bin = { train: classification(800, 2, 3), val: classification(400, 2, 4) };
  const multi = { train: classification(900, 3, 5), val: classification(400, 3, 6) };
  const reg = { train: regression(500, 8), val: regression(300, 9) };
  let ref: {
    binary: { coef: number[][]; intercept: number[]; proba: number[][] };
    multi: { coef: number[][]; intercept: number[]; proba: number[][] };
    linear: { coef: number[]; intercept: number; pred: number[] };
  };
  beforeAll(() => {
    ref = runPython(
      `
from sklearn.linear_model import LogisticRegression, LinearRegression
out = {}
for name, multi in (('binary', 'auto'), ('multi', 'multinomial')):
    d = data[name]
    X = np.array(d['x'], dtype=np.float64); y = np.array(d['y']).astype(int)
    m = LogisticRegression(C=1 / (data['l2'] * len(y)), tol=1e-10, max_iter=10000, multi_class=multi).fit(X, y)
    out[name] = dict(coef=m.coef_.tolist(), intercept=m.intercept_.tolist(), proba=m.predict_proba(np.array(d['xv'])).tolist())
d = data['linear']
m = LinearRegression().fit(np.array(d['x']), np.array(d['y']))
out['linear'] = dict(coef=m.coef_.tolist(), intercept=float(m.intercept_), pred=m.predict(np.array(d['xv'])).tolist())
print(json.dumps(out))
`,
      {
        l2,
        binary: { x: rowsOf(bin.train), y: Array.from(bin.train.y), xv: rowsOf(bin.val) },
        multi: { x: rowsOf(multi.train), y: Array.from(multi.train.y), xv: rowsOf(multi.val) },
        linear: { x: rowsOf(reg.train), y: Array.from(reg.train.y), xv: rowsOf(reg.val) },
      },
    );
  });

  it('binary logistic regression: coefficients and validation metrics equal LogisticRegression with C = 1/(λn)', () => {
    const model = fitLogistic(bin.train.x, bin.train.y, bin.train.rows, bin.train.cols, 2, { l2 });
    expect(model.converged).toBe(true);
    model.weights.forEach((w, j) => expect(w, `coef ${j}`).toBeCloseTo(ref.binary.coef[0][j], 4));
    expect(model.intercepts[0]).toBeCloseTo(ref.binary.intercept[0], 4);
    const ours = predictLogistic(model, bin.val.x, bin.val.rows);
    const theirs = Float32Array.from(ref.binary.proba.map((p) => p[1]));
    const a = computeMetrics('binary', ours, bin.val.y, 2);
    const b = computeMetrics('binary', theirs, bin.val.y, 2);
    expect(a.loss).toBeCloseTo(b.loss, 5);
    expect(a.auc).toBeCloseTo(b.auc, 4);
    expect(a.f1).toBeCloseTo(b.f1, 6);
  });

  it('multinomial logistic regression: probabilities and (centered) coefficients equal sklearn\'s multinomial fit', () => {
    const model = fitLogistic(multi.train.x, multi.train.y, multi.train.rows, multi.train.cols, 3, { l2 });
    expect(model.units).toBe(3);
    // The L2 penalty makes the coefficients unique; intercepts are unique only up to a shared shift.
    model.weights.forEach((w, i) => expect(w, `coef ${i}`).toBeCloseTo(ref.multi.coef[Math.floor(i / 6)][i % 6], 4));
    const center = (v: number[]) => v.map((x) => x - v.reduce((s, y) => s + y, 0) / v.length);
    center(model.intercepts).forEach((b, c) => expect(b).toBeCloseTo(center(ref.multi.intercept)[c], 4));
    const ours = predictLogistic(model, multi.val.x, multi.val.rows);
    ref.multi.proba.forEach((row, i) => row.forEach((p, c) => expect(ours[i * 3 + c]).toBeCloseTo(p, 5)));
    const a = computeMetrics('multiclass', ours, multi.val.y, 3);
    const b = computeMetrics('multiclass', Float32Array.from(ref.multi.proba.flat()), multi.val.y, 3);
    expect(a.loss).toBeCloseTo(b.loss, 5);
    expect(a.accuracy).toBe(b.accuracy);
  });

  it('linear regression: coefficients, intercept and validation RMSE equal LinearRegression', () => {
    const model = fitLinear(reg.train.x, reg.train.y, reg.train.rows, reg.train.cols);
    model.weights.forEach((w, j) => expect(w, `coef ${j}`).toBeCloseTo(ref.linear.coef[j], 3));
    expect(model.intercept).toBeCloseTo(ref.linear.intercept, 3);
    const a = computeMetrics('regression', predictLinear(model, reg.val.x, reg.val.rows), reg.val.y, 1, 10);
    const b = computeMetrics('regression', Float32Array.from(ref.linear.pred), reg.val.y, 1, 10);
    expect(a.rmse).toBeCloseTo(b.rmse, 4);
    expect(a.r2).toBeCloseTo(b.r2, 6);
  });
});
