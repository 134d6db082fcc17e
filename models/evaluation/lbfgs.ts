/**
 * L-BFGS (Nocedal & Wright, "Numerical Optimization", algorithm 7.4/7.5): minimizes a smooth
 * function f: ℝᵐ → ℝ given its value and gradient, keeping the last `memory` pairs
 *   s_k = x_{k+1} − x_k,   y_k = ∇f(x_{k+1}) − ∇f(x_k)
 * to apply an approximate inverse Hessian to the gradient (the two-loop recursion), scaled by
 * γ = sᵀy / yᵀy of the newest pair. Steps are found by backtracking until the Armijo condition
 *   f(x + α·d) ≤ f(x) + 10⁻⁴ · α · ∇f(x)ᵀd
 * holds; a pair with sᵀy ≤ 10⁻¹² · |s|·|y| is skipped so the approximation stays positive definite
 * (always the case for the strictly convex objectives used here: L2-penalized logistic regression).
 *
 * Written here rather than taken from npm: the packages that exist (fmin: Nelder–Mead, CG and
 * gradient descent, last released 2017; ml-logistic-regression: fixed-step gradient descent,
 * one-vs-rest) have no L-BFGS, and the cost is all in the caller's objective over typed arrays.
 */

/** Writes ∇f(x) into `grad` and returns f(x). */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when max |∂f/∂x_i| ≤ this. */
  gradientTolerance?: number;
  /** Stop when the relative decrease of f in one iteration is below this. */
  functionTolerance?: number;
  maxIterations?: number;
  /** Pairs kept. */
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  /** Max |∂f/∂x_i| at the end. */
  gradientMax: number;
  converged: boolean;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

const maxAbs = (a: Float64Array) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

export function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const gtol = options.gradientTolerance ?? 1e-6;
  const ftol = options.functionTolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 500;
  const memory = options.memory ?? 10;
  const m = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(m);
  let value = f(x, g);
  let evaluations = 1;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(memory);
  const d = new Float64Array(m);
  let xNext = new Float64Array(m);
  let gNext = new Float64Array(m);
  let iterations = 0;
  let converged = maxAbs(g) <= gtol;
  while (!converged && iterations < maxIterations) {
    // Two-loop recursion: d = −H·g.
    for (let i = 0; i < m; i++) d[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], d);
      for (let i = 0; i < m; i++) d[i] -= alpha[k] * Y[k][i];
    }
    const last = S.length - 1;
    const gamma = last >= 0 ? 1 / (rho[last] * dot(Y[last], Y[last])) : 1 / Math.max(1e-12, Math.sqrt(dot(g, g)));
    for (let i = 0; i < m; i++) d[i] *= gamma;
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], d);
      for (let i = 0; i < m; i++) d[i] += (alpha[k] - beta) * S[k][i];
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      const scale = 1 / Math.max(1e-12, Math.sqrt(dot(g, g)));
      for (let i = 0; i < m; i++) d[i] = -g[i] * scale;
      slope = dot(g, d);
    }
    // Backtracking line search (Armijo).
    let step = 1;
    let next = Infinity;
    for (let tries = 0; tries < 50; tries++) {
      for (let i = 0; i < m; i++) xNext[i] = x[i] + step * d[i];
      next = f(xNext, gNext);
      evaluations++;
      if (Number.isFinite(next) && next <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(next <= value)) break; // no progress possible at machine precision
    iterations++;
    const s = new Float64Array(m);
    const yv = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      s[i] = xNext[i] - x[i];
      yv[i] = gNext[i] - g[i];
    }
    const sy = dot(s, yv);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(yv, yv))) {
      if (S.length === memory) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
    }
    const decrease = value - next;
    [x, xNext] = [xNext, x];
    [g, gNext] = [gNext, g];
    value = next;
    converged = maxAbs(g) <= gtol || decrease <= ftol * Math.max(1, Math.abs(value));
  }
  return { x, value, iterations, evaluations, gradientMax: maxAbs(g), converged };
}
