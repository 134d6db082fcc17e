/**
 * Optimizers: the PyTorch-computed fixture, plus hand-derived references (plain JavaScript in
 * float64, written from the papers' / PyTorch docs' equations) for those the fixture lacks.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkFixture, type ReferenceFixture } from '../../models/train/reference-check';
import { createOptimizer, optimizerFromJson } from '../../models/train/optimizers/registry';
import { optimizerConfigSchema, OPTIMIZER_NAMES, type OptimizerConfig } from '../../shared/optimizers';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/optimizer-reference.json', import.meta.url), 'utf8')) as ReferenceFixture;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('against PyTorch trajectories (test/fixtures/optimizer-reference.json)', () => {
  const results = checkFixture(fixture);
  for (const r of results) {
    it(r.label, () => {
      expect(r.error).toBeUndefined();
      expect(r.maxToleranceRatio).toBeLessThanOrEqual(1);
      expect(r.passed).toBe(true);
    });
  }

  it('the check fails when a reference value is off', () => {
    const tampered = structuredClone(fixture);
    tampered.cases[3].params['5'].W[0][0] += 1e-3;
    tampered.cases = [tampered.cases[3]];
    tampered.schedules = [];
    const [r] = checkFixture(tampered);
    expect(r.passed).toBe(false);
    expect(r.maxToleranceRatio).toBeGreaterThan(1);
  });

  it('an unknown optimizer or hyperparameter fails the check instead of being ignored', () => {
    const odd = structuredClone(fixture);
    odd.cases = [
      { ...fixture.cases[0], optimizer: 'sophia' },
      { ...fixture.cases[3], config: { ...fixture.cases[3].config, foo: 1 } },
    ];
    odd.schedules = [];
    const [a, b] = checkFixture(odd);
    expect(a.passed).toBe(false);
    expect(a.error).toContain('unknown optimizer');
    expect(b.passed).toBe(false);
    expect(b.error).toMatch(/foo/);
  });
});

/** Run `steps` updates on θ (shape [rows, cols] or [n]) with gradients from `grad(t, θ)`; return θ per step. */
function run(config: OptimizerConfig, theta0: number[], shape: number[], grad: (t: number, theta: number[]) => number[], steps: number): number[][] {
  const opt = createOptimizer(config);
  const v = tf.variable(tf.tensor(theta0, shape));
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = tf.tensor(grad(t, Array.from(v.dataSync())), shape);
    opt.applyGradients([{ variable: v, gradient: g }]);
    g.dispose();
    out.push(Array.from(v.dataSync()));
  }
  opt.dispose();
  v.dispose();
  return out;
}

const closeTo = (got: number[], want: number[], tol = 1e-5) =>
  want.forEach((w, i) => expect(Math.abs(got[i] - w), `index ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(tol * Math.abs(w) + tol));

const theta0 = [0.5, -1.2, 0.3, 2.0, -0.7, 0.05];
/** A gradient that depends on θ and t, so state matters: g = θ·(1 + 0.1t) − 0.3 + 0.05·i. */
const gradOf = (t: number, theta: number[]) => theta.map((x, i) => x * (1 + 0.1 * t) - 0.3 + 0.05 * i);

describe('Lion (Chen et al. 2023, Algorithm 2), derived by hand', () => {
  it('first step moves every weight by exactly lr against the gradient sign', () => {
    const cfg = optimizerConfigSchema.parse({ name: 'lion', lr: 0.01 });
    const [first] = run(cfg, theta0, [6], gradOf, 1);
    const g = gradOf(1, theta0);
    closeTo(first, theta0.map((x, i) => x - 0.01 * Math.sign(g[i])), 1e-6);
  });

  it('matches the equations over 4 steps, with decoupled weight decay', () => {
    const cfg = optimizerConfigSchema.parse({ name: 'lion', lr: 0.02, beta1: 0.9, beta2: 0.99, weightDecay: 0.1 });
    const got = run(cfg, theta0, [2, 3], gradOf, 4);
    let theta = [...theta0];
    let m = theta.map(() => 0);
    for (let t = 1; t <= 4; t++) {
      const g = gradOf(t, theta);
      const c = m.map((mi, i) => 0.9 * mi + 0.1 * g[i]);
      theta = theta.map((x, i) => x - 0.02 * (Math.sign(c[i]) + 0.1 * x));
      m = m.map((mi, i) => 0.99 * mi + 0.01 * g[i]);
      closeTo(got[t - 1], theta, 1e-6);
    }
  });
});

describe('Adafactor (Shazeer & Stern 2018), derived by hand', () => {
  /** Plain-JS Adafactor from the paper: factored for a rows×cols matrix, unfactored for a vector. */
  function reference(theta: number[], rows: number, cols: number, steps: number, c: { relativeStep: boolean; scaleParameter: boolean; lr: number; beta1: number; weightDecay: number }) {
    const rms = (x: number[]) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
    let R = new Array(rows).fill(0);
    let C = new Array(cols).fill(0);
    let V = new Array(theta.length).fill(0);
    let M = new Array(theta.length).fill(0);
    const out: number[][] = [];
    for (let t = 1; t <= steps; t++) {
      const g = gradOf(t, theta);
      const rho = c.relativeStep ? Math.min(1e-2, 1 / Math.sqrt(t)) : c.lr;
      const alpha = c.scaleParameter ? Math.max(1e-3, rms(theta)) * rho : rho;
      const b2 = 1 - Math.pow(t, -0.8);
      const g2 = g.map((x) => x * x + 1e-30);
      let vhat: number[];
      if (cols > 1) {
        // Paper: R = row sums, C = column sums, V̂ = R Cᵀ / (1ᵀ R).
        const rowSum = Array.from({ length: rows }, (_, i) => g2.slice(i * cols, (i + 1) * cols).reduce((a, b) => a + b, 0));
        const colSum = Array.from({ length: cols }, (_, j) => Array.from({ length: rows }, (_, i) => g2[i * cols + j]).reduce((a, b) => a + b, 0));
        R = R.map((r, i) => b2 * r + (1 - b2) * rowSum[i]);
        C = C.map((x, j) => b2 * x + (1 - b2) * colSum[j]);
        const total = R.reduce((a, b) => a + b, 0);
        vhat = g.map((_, k) => (R[Math.floor(k / cols)] * C[k % cols]) / total);
      } else {
        V = V.map((v, k) => b2 * v + (1 - b2) * g2[k]);
        vhat = V;
      }
      let U = g.map((x, k) => x / Math.sqrt(vhat[k]));
      const clip = Math.max(1, rms(U) / 1.0);
      U = U.map((u) => u / clip);
      if (c.beta1 > 0) {
        M = M.map((m, k) => c.beta1 * m + (1 - c.beta1) * U[k]);
        U = M;
      }
      theta = theta.map((x, k) => x - alpha * U[k] - alpha * c.weightDecay * x);
      out.push(theta);
    }
    return out;
  }

  it('factored second moments, relative step, update clipping (2×3 matrix, 5 steps)', () => {
    const c = { relativeStep: true, scaleParameter: true, lr: 0.001, beta1: 0, weightDecay: 0 };
    const got = run(optimizerConfigSchema.parse({ name: 'adafactor' }), theta0, [2, 3], gradOf, 5);
    reference(theta0, 2, 3, 5, c).forEach((want, t) => closeTo(got[t], want, 2e-5));
  });

  it('vector parameters (unfactored), with β1 momentum and weight decay', () => {
    const c = { relativeStep: true, scaleParameter: true, lr: 0.001, beta1: 0.9, weightDecay: 0.01 };
    const got = run(optimizerConfigSchema.parse({ name: 'adafactor', beta1: 0.9, weightDecay: 0.01 }), theta0, [6], gradOf, 5);
    reference(theta0, 6, 1, 5, c).forEach((want, t) => closeTo(got[t], want, 2e-5));
  });

  it('with an explicit step size (relativeStep false, scaleParameter false)', () => {
    const c = { relativeStep: false, scaleParameter: false, lr: 0.05, beta1: 0, weightDecay: 0 };
    const got = run(optimizerConfigSchema.parse({ name: 'adafactor', relativeStep: false, scaleParameter: false, lr: 0.05 }), theta0, [3, 2], gradOf, 4);
    reference(theta0, 3, 2, 4, c).forEach((want, t) => closeTo(got[t], want, 2e-5));
  });
});

describe('NAdam and AMSGrad (PyTorch documented algorithms), derived by hand', () => {
  it('nadam over 5 steps', () => {
    const [lr, b1, b2, eps, psi] = [0.01, 0.9, 0.999, 1e-8, 0.004];
    const got = run(optimizerConfigSchema.parse({ name: 'nadam', lr }), theta0, [6], gradOf, 5);
    let theta = [...theta0];
    let m = theta.map(() => 0);
    let v = theta.map(() => 0);
    let prod = 1;
    const mu = (t: number) => b1 * (1 - 0.5 * Math.pow(0.96, t * psi));
    for (let t = 1; t <= 5; t++) {
      const g = gradOf(t, theta);
      prod *= mu(t);
      const prodNext = prod * mu(t + 1);
      m = m.map((x, i) => b1 * x + (1 - b1) * g[i]);
      v = v.map((x, i) => b2 * x + (1 - b2) * g[i] * g[i]);
      theta = theta.map((x, i) => {
        const mhat = (mu(t + 1) * m[i]) / (1 - prodNext) + ((1 - mu(t)) * g[i]) / (1 - prod);
        const vhat = v[i] / (1 - Math.pow(b2, t));
        return x - (lr * mhat) / (Math.sqrt(vhat) + eps);
      });
      closeTo(got[t - 1], theta, 2e-5);
    }
  });

  it('adam with amsgrad keeps the largest second moment', () => {
    const [lr, b1, b2, eps] = [0.05, 0.9, 0.999, 1e-8];
    // A gradient that shrinks, so v falls and the max matters.
    const shrinking = (t: number, theta: number[]) => theta.map((_, i) => (i + 1) / (t * t));
    const got = run(optimizerConfigSchema.parse({ name: 'adam', lr, amsgrad: true }), theta0, [6], shrinking, 6);
    let theta = [...theta0];
    let m = theta.map(() => 0);
    let v = theta.map(() => 0);
    let vmax = theta.map(() => 0);
    for (let t = 1; t <= 6; t++) {
      const g = shrinking(t, theta);
      m = m.map((x, i) => b1 * x + (1 - b1) * g[i]);
      v = v.map((x, i) => b2 * x + (1 - b2) * g[i] * g[i]);
      vmax = vmax.map((x, i) => Math.max(x, v[i]));
      theta = theta.map((x, i) => x - (lr / (1 - b1 ** t)) * (m[i] / (Math.sqrt(vmax[i]) / Math.sqrt(1 - b2 ** t) + eps)));
      closeTo(got[t - 1], theta, 2e-5);
    }
  });

  it('sgd with weight decay and dampened momentum', () => {
    const [lr, mom, damp, wd] = [0.05, 0.8, 0.1, 0.01];
    const got = run(optimizerConfigSchema.parse({ name: 'momentum', lr, momentum: mom, dampening: damp, weightDecay: wd }), theta0, [6], gradOf, 4);
    let theta = [...theta0];
    let b = theta.map(() => 0);
    for (let t = 1; t <= 4; t++) {
      const g = gradOf(t, theta).map((x, i) => x + wd * theta[i]);
      b = t === 1 ? g : b.map((x, i) => mom * x + (1 - damp) * g[i]);
      theta = theta.map((x, i) => x - lr * b[i]);
      closeTo(got[t - 1], theta, 1e-5);
    }
  });
});

describe('configs', () => {
  it('every optimizer has defaults, and its defaults round-trip through JSON', () => {
    expect(OPTIMIZER_NAMES).toEqual(['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'nadam', 'rmsprop', 'adagrad', 'adadelta', 'adamax', 'adafactor', 'lion']);
    for (const name of OPTIMIZER_NAMES) {
      const config = optimizerConfigSchema.parse({ name });
      expect(optimizerConfigSchema.parse(JSON.parse(JSON.stringify(config)))).toEqual(config);
      createOptimizer(config).dispose();
    }
  });

  it('names the argument and the value received', () => {
    expect(() => optimizerFromJson({ name: 'adam', lr: -0.1 })).toThrow('lr must be > 0, received -0.1');
    expect(() => optimizerFromJson({ name: 'rmsprop', rho: 1.5 })).toThrow('rho must be < 1, received 1.5');
    expect(() => optimizerFromJson({ name: 'sgd', momentum: 'lots' })).toThrow('momentum must be a number, received "lots"');
    expect(() => optimizerFromJson({ name: 'adam', betas: [0.9, 0.99] })).toThrow(/betas/);
    expect(() => optimizerFromJson({ name: 'sophia' })).toThrow(/unknown optimizer; use one of sgd, momentum/);
  });

  it('hyperparameter changes apply from the next step, and bad ones are refused', () => {
    const opt = createOptimizer(optimizerConfigSchema.parse({ name: 'sgd', lr: 0.1 }));
    const v = tf.variable(tf.tensor1d([1]));
    const step = () => {
      const g = tf.tensor1d([1]);
      opt.applyGradients([{ variable: v, gradient: g }]);
      g.dispose();
      return v.dataSync()[0];
    };
    expect(step()).toBeCloseTo(0.9, 6);
    opt.updateConfig({ lr: 0.5 });
    expect(step()).toBeCloseTo(0.4, 6);
    expect(() => opt.updateConfig({ lr: 0 })).toThrow('lr must be > 0, received 0');
    expect(opt.config()).toMatchObject({ lr: 0.5 });
    opt.dispose();
    v.dispose();
  });

  it('no optimizer leaks tensors per step', () => {
    for (const name of OPTIMIZER_NAMES) {
      const opt = createOptimizer(optimizerConfigSchema.parse({ name }));
      const w = tf.variable(tf.randomNormal([3, 4], 0, 1, 'float32', 1));
      const step = () => {
        const g = tf.randomNormal([3, 4], 0, 1, 'float32', 2);
        opt.applyGradients([{ variable: w, gradient: g }]);
        g.dispose();
      };
      step(); // creates the slots
      const before = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) step();
      expect(tf.memory().numTensors, name).toBe(before);
      opt.dispose();
      w.dispose();
    }
  });
});
