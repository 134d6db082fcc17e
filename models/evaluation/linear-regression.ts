/**
 * Linear regression on the encoded inputs, in the target's own units, with a small ridge penalty:
 *   minimize  (1/n) Σ_i (y_i − w·x_i − b)² + λ ‖w‖²        (b not penalized)
 * solved exactly from the centered normal equations
 *   (Xcᵀ Xc + n·λ·I) w = Xcᵀ yc,   b = ȳ − x̄·w
 * by a Cholesky factorization (one pass over the rows to build the d×d matrix: O(n·d²/2), then
 * O(d³/6)). The penalty makes the system positive definite when inputs are collinear (a one-hot
 * block sums to 1, constant columns); λ = 1e-6 on standardized inputs moves the coefficients of a
 * well-posed problem by about one part in a million, so it matches ordinary least squares
 * (scikit-learn's LinearRegression) to that precision.
 */

export interface LinearModel {
  kind: 'linear';
  inputs: number;
  weights: number[];
  intercept: number;
}

/** Solve A·x = b in place for symmetric positive-definite A (row-major d×d); A is overwritten by its Cholesky factor. */
export function solveCholesky(a: Float64Array, b: Float64Array, d: number): Float64Array {
  for (let j = 0; j < d; j++) {
    let diag = a[j * d + j];
    for (let k = 0; k < j; k++) diag -= a[j * d + k] * a[j * d + k];
    if (!(diag > 0)) throw new RangeError(`the normal equations are not positive definite at column ${j}`);
    const l = Math.sqrt(diag);
    a[j * d + j] = l;
    for (let i = j + 1; i < d; i++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= a[i * d + k] * a[j * d + k];
      a[i * d + j] = s / l;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < d; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= a[i * d + k] * x[k];
    x[i] = s / a[i * d + i];
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < d; k++) s -= a[k * d + i] * x[k];
    x[i] = s / a[i * d + i];
  }
  return x;
}

/**
 * @param x row-major n×d encoded features
 * @param y target per row, in its own units
 * @param l2 ridge penalty λ per row (default 1e-6)
 */
export function fitLinear(x: Float32Array, y: ArrayLike<number>, rows: number, cols: number, options: { l2?: number } = {}): LinearModel {
  if (rows === 0) throw new RangeError('linear regression needs at least one training row');
  if (x.length < rows * cols) throw new RangeError(`x has ${x.length} values, expected rows × cols = ${rows * cols}`);
  const l2 = options.l2 ?? 1e-6;
  if (!(l2 >= 0)) throw new RangeError(`l2 must be ≥ 0, received ${l2}`);
  const means = new Float64Array(cols);
  let yMean = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) means[j] += x[i * cols + j];
    yMean += y[i];
  }
  for (let j = 0; j < cols; j++) means[j] /= rows;
  yMean /= rows;
  // Xcᵀ Xc (lower triangle, mirrored after) and Xcᵀ yc.
  const a = new Float64Array(cols * cols);
  const b = new Float64Array(cols);
  const centered = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) centered[j] = x[row + j] - means[j];
    const yc = y[i] - yMean;
    for (let j = 0; j < cols; j++) {
      const cj = centered[j];
      if (cj === 0) continue;
      b[j] += cj * yc;
      const base = j * cols;
      for (let k = 0; k <= j; k++) a[base + k] += cj * centered[k];
    }
  }
  // A tiny floor keeps an all-constant column (zero variance) solvable when λ = 0 was asked.
  const ridge = Math.max(rows * l2, 1e-12);
  for (let j = 0; j < cols; j++) {
    a[j * cols + j] += ridge;
    for (let k = 0; k < j; k++) a[k * cols + j] = a[j * cols + k];
  }
  const w = cols > 0 ? solveCholesky(a, b, cols) : new Float64Array(0);
  let intercept = yMean;
  for (let j = 0; j < cols; j++) intercept -= means[j] * w[j];
  return { kind: 'linear', inputs: cols, weights: Array.from(w), intercept };
}

/** Predictions n×1 in the target's units (the network's regression layout). */
export function predictLinear(model: LinearModel, x: Float32Array, rows: number): Float32Array {
  const { inputs: cols, weights, intercept } = model;
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = intercept;
    for (let j = 0; j < cols; j++) s += weights[j] * x[i * cols + j];
    out[i] = s;
  }
  return out;
}
