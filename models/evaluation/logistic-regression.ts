/**
 * Logistic regression on the encoded inputs (the network's own preprocessing), binary or
 * multinomial (softmax), fitted by L-BFGS on
 *   f(W, b) = (1/n) Σ_i −log p(y_i | x_i) + (λ/2) ‖W‖²         (intercepts b not penalized)
 *   binary:      p(1 | x) = σ(w·x + b)
 *   multinomial: p(c | x) = exp(z_c) / Σ_k exp(z_k),  z_c = w_c·x + b_c
 * The gradient is (1/n) Σ_i (p_i − onehot(y_i)) ⊗ [x_i, 1] + λ·[W, 0]. scikit-learn's
 * LogisticRegression(C) minimizes C·Σ loss + ½‖W‖², the same optimum when λ = 1 / (C·n).
 *
 * Why L-BFGS rather than Newton / IRLS: a Newton step for the multinomial model needs the
 * (k·(d+1))² Hessian, built in O(n·k²·d²) per iteration; L-BFGS needs only the gradient, O(n·k·d),
 * and converges in tens of iterations on this smooth, strictly convex (λ > 0) objective. The small
 * penalty keeps the optimum finite on separable data and on collinear one-hot blocks.
 */
import { minimizeLbfgs, type LbfgsOptions } from './lbfgs.js';

export interface LogisticModel {
  kind: 'logistic';
  /** Binary: 1 (P(class 1)); multinomial: k. */
  units: number;
  inputs: number;
  /** weights[u·inputs + j]: unit u's coefficient of input j. */
  weights: number[];
  intercepts: number[];
  /** Optimizer outcome, for the report. */
  iterations: number;
  converged: boolean;
}

export interface LogisticOptions extends LbfgsOptions {
  /** L2 penalty λ on the coefficients (per row: the loss is a mean). Default 1e-4. */
  l2?: number;
}

/** log(1 + e^z), without overflow. */
const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/**
 * @param x row-major n×d encoded features
 * @param y class index per row (0/1 for binary)
 * @param classes 2 for binary (one output unit, P(class 1)), k ≥ 3 for multinomial
 */
export function fitLogistic(x: Float32Array, y: ArrayLike<number>, rows: number, cols: number, classes: number, options: LogisticOptions = {}): LogisticModel {
  if (rows === 0) throw new RangeError('logistic regression needs at least one training row');
  if (x.length < rows * cols) throw new RangeError(`x has ${x.length} values, expected rows × cols = ${rows * cols}`);
  const l2 = options.l2 ?? 1e-4;
  if (!(l2 >= 0)) throw new RangeError(`l2 must be ≥ 0, received ${l2}`);
  const units = classes <= 2 ? 1 : classes;
  const width = cols + 1; // coefficients then intercept, per unit
  const z = new Float64Array(units);
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const row = i * cols;
      const label = y[i];
      for (let u = 0; u < units; u++) {
        const base = u * width;
        let s = theta[base + cols];
        for (let j = 0; j < cols; j++) s += theta[base + j] * x[row + j];
        z[u] = s;
      }
      if (units === 1) {
        // −log σ(z) for y = 1, −log(1 − σ(z)) = softplus(z) for y = 0; ∂/∂z = σ(z) − y.
        const s = z[0];
        loss += label === 1 ? softplus(-s) : softplus(s);
        z[0] = 1 / (1 + Math.exp(-s)) - (label === 1 ? 1 : 0);
      } else {
        let max = -Infinity;
        for (let u = 0; u < units; u++) max = Math.max(max, z[u]);
        let sum = 0;
        for (let u = 0; u < units; u++) {
          z[u] = Math.exp(z[u] - max);
          sum += z[u];
        }
        loss -= Math.log(z[label] / sum);
        for (let u = 0; u < units; u++) z[u] = z[u] / sum - (u === label ? 1 : 0);
      }
      for (let u = 0; u < units; u++) {
        const r = z[u];
        if (r === 0) continue;
        const base = u * width;
        for (let j = 0; j < cols; j++) grad[base + j] += r * x[row + j];
        grad[base + cols] += r;
      }
    }
    let penalty = 0;
    for (let u = 0; u < units; u++) {
      for (let j = 0; j < cols; j++) {
        const k = u * width + j;
        grad[k] = grad[k] / rows + l2 * theta[k];
        penalty += theta[k] * theta[k];
      }
      grad[u * width + cols] /= rows;
    }
    return loss / rows + 0.5 * l2 * penalty;
  };
  const result = minimizeLbfgs(objective, new Float64Array(units * width), {
    gradientTolerance: options.gradientTolerance ?? 1e-6,
    functionTolerance: options.functionTolerance,
    maxIterations: options.maxIterations ?? 150,
    memory: options.memory,
  });
  const weights: number[] = [];
  const intercepts: number[] = [];
  for (let u = 0; u < units; u++) {
    for (let j = 0; j < cols; j++) weights.push(result.x[u * width + j]);
    intercepts.push(result.x[u * width + cols]);
  }
  return { kind: 'logistic', units, inputs: cols, weights, intercepts, iterations: result.iterations, converged: result.converged };
}

/** Probabilities in the network's layout: n×1 P(class 1) (binary) or n×k (multinomial). */
export function predictLogistic(model: LogisticModel, x: Float32Array, rows: number): Float32Array {
  const { units, inputs: cols, weights, intercepts } = model;
  const out = new Float32Array(rows * units);
  const z = new Float64Array(units);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let u = 0; u < units; u++) {
      let s = intercepts[u];
      for (let j = 0; j < cols; j++) s += weights[u * cols + j] * x[row + j];
      z[u] = s;
    }
    if (units === 1) {
      out[i] = 1 / (1 + Math.exp(-z[0]));
    } else {
      let max = -Infinity;
      for (let u = 0; u < units; u++) max = Math.max(max, z[u]);
      let sum = 0;
      for (let u = 0; u < units; u++) sum += (z[u] = Math.exp(z[u] - max));
      for (let u = 0; u < units; u++) out[i * units + u] = z[u] / sum;
    }
  }
  return out;
}
