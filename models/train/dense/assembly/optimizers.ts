/**
 * Optimizer updates over one flat parameter vector θ (every weight of the network end to end)
 * and its gradient g, f32. Each rule is the one in models/train/optimizers/<name>.ts (PyTorch's
 * documented algorithm), written elementwise; the scalars that depend only on the step (bias
 * corrections, momentum schedules) come from the caller. `wd` is coupled L2 weight decay:
 * g ← g + wd·θ. Slots (moments, accumulators) are flat vectors of the same length as θ.
 * Adafactor's factored second moments are per matrix: it is called once per parameter.
 */

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

@inline function withL2(theta: usize, g: usize, i: i32, wd: f32): f32 {
  const grad = load<f32>(at(g, i));
  return wd == 0 ? grad : grad + wd * load<f32>(at(theta, i));
}

/** SGD: b ← g (first step) or μ·b + (1 − τ)·g;  g ← g + μ·b (nesterov) or b;  θ ← θ − lr·g. */
export function sgd(theta: usize, g: usize, b: usize, n: i32, lr: f32, momentum: f32, dampening: f32, nesterov: i32, wd: f32, first: i32): void {
  for (let i = 0; i < n; i++) {
    let grad = withL2(theta, g, i, wd);
    if (momentum > 0) {
      const bi = first != 0 ? grad : momentum * load<f32>(at(b, i)) + (1 - dampening) * grad;
      store<f32>(at(b, i), bi);
      grad = nesterov != 0 ? grad + momentum * bi : bi;
    }
    store<f32>(at(theta, i), load<f32>(at(theta, i)) - lr * grad);
  }
}

/**
 * Adam / AdamW: θ ← θ·decay (AdamW's decoupled decay, 1 for Adam);  m ← β1·m + (1 − β1)·g;
 * v ← β2·v + (1 − β2)·g²;  v* ← max(v*, v) (amsgrad);  θ ← θ − stepSize · m / (√v·invSqrtBias2 + ε)
 * with stepSize = lr/(1 − β1ᵗ), invSqrtBias2 = 1/√(1 − β2ᵗ).
 */
export function adam(theta: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32, decay: f32, wd: f32, b1: f32, oneMinusB1: f32, b2: f32, oneMinusB2: f32, invSqrtBias2: f32, epsilon: f32, stepSize: f32, amsgrad: i32): void {
  const n4 = n & ~3;
  let i = 0;
  if (wd == 0 && amsgrad == 0) {
    const vb1 = f32x4.splat(b1), v1b1 = f32x4.splat(oneMinusB1), vb2 = f32x4.splat(b2), v1b2 = f32x4.splat(oneMinusB2);
    const vis = f32x4.splat(invSqrtBias2), veps = f32x4.splat(epsilon), vstep = f32x4.splat(stepSize), vdecay = f32x4.splat(decay);
    for (; i < n4; i += 4) {
      let t = v128.load(at(theta, i));
      if (decay != 1) t = f32x4.mul(t, vdecay);
      const gi = v128.load(at(g, i));
      const mi = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(v1b1, gi));
      const vi = f32x4.add(f32x4.mul(vb2, v128.load(at(v, i))), f32x4.mul(v1b2, f32x4.mul(gi, gi)));
      v128.store(at(m, i), mi);
      v128.store(at(v, i), vi);
      const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vi), vis), veps);
      v128.store(at(theta, i), f32x4.sub(t, f32x4.mul(vstep, f32x4.div(mi, denom))));
    }
  }
  for (; i < n; i++) {
    let t = load<f32>(at(theta, i));
    if (decay != 1) t = t * decay;
    const grad = wd == 0 ? load<f32>(at(g, i)) : load<f32>(at(g, i)) + wd * t;
    const mi = b1 * load<f32>(at(m, i)) + oneMinusB1 * grad;
    const vi = b2 * load<f32>(at(v, i)) + oneMinusB2 * (grad * grad);
    store<f32>(at(m, i), mi);
    store<f32>(at(v, i), vi);
    let second = vi;
    if (amsgrad != 0) {
      second = Mathf.max(load<f32>(at(vmax, i)), vi);
      store<f32>(at(vmax, i), second);
    }
    const denom = Mathf.sqrt(second) * invSqrtBias2 + epsilon;
    store<f32>(at(theta, i), t - stepSize * (mi / denom));
  }
}

/**
 * NAdam: m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;
 * θ ← θ − lr · (cm·m + cg·g) / (√(v / bias2) + ε), with cm = μₜ₊₁/(1 − Πμ₁..ₜ₊₁), cg = (1 − μₜ)/(1 − Πμ₁..ₜ).
 */
export function nadam(theta: usize, g: usize, m: usize, v: usize, n: i32, wd: f32, b1: f32, oneMinusB1: f32, b2: f32, oneMinusB2: f32, bias2: f32, epsilon: f32, cm: f32, cg: f32, lr: f32): void {
  for (let i = 0; i < n; i++) {
    const grad = withL2(theta, g, i, wd);
    const mi = b1 * load<f32>(at(m, i)) + oneMinusB1 * grad;
    const vi = b2 * load<f32>(at(v, i)) + oneMinusB2 * (grad * grad);
    store<f32>(at(m, i), mi);
    store<f32>(at(v, i), vi);
    const denom = Mathf.sqrt(vi / bias2) + epsilon;
    const mHat = cm * mi + cg * grad;
    store<f32>(at(theta, i), load<f32>(at(theta, i)) - lr * (mHat / denom));
  }
}

/**
 * RMSProp: v ← ρ·v + (1 − ρ)·g²;  centered: ḡ ← ρ·ḡ + (1 − ρ)·g, ṽ = v − ḡ²;  s = g/(√ṽ + ε);
 * momentum: b ← μ·b + s, θ ← θ − lr·b;  else θ ← θ − lr·s.
 */
export function rmsprop(theta: usize, g: usize, v: usize, mean: usize, b: usize, n: i32, wd: f32, rho: f32, oneMinusRho: f32, epsilon: f32, momentum: f32, centered: i32, lr: f32): void {
  for (let i = 0; i < n; i++) {
    const grad = withL2(theta, g, i, wd);
    const vi = rho * load<f32>(at(v, i)) + oneMinusRho * (grad * grad);
    store<f32>(at(v, i), vi);
    let variance = vi;
    if (centered != 0) {
      const gi = rho * load<f32>(at(mean, i)) + oneMinusRho * grad;
      store<f32>(at(mean, i), gi);
      variance = vi - gi * gi;
    }
    const s = grad / (Mathf.sqrt(variance) + epsilon);
    if (momentum > 0) {
      const bi = momentum * load<f32>(at(b, i)) + s;
      store<f32>(at(b, i), bi);
      store<f32>(at(theta, i), load<f32>(at(theta, i)) - lr * bi);
    } else {
      store<f32>(at(theta, i), load<f32>(at(theta, i)) - lr * s);
    }
  }
}

/** Adagrad: s ← s + g²;  θ ← θ − lr̃ · g/(√s + ε), lr̃ = lr/(1 + (t − 1)·lrDecay) from the caller. */
export function adagrad(theta: usize, g: usize, s: usize, n: i32, wd: f32, epsilon: f32, lr: f32): void {
  for (let i = 0; i < n; i++) {
    const grad = withL2(theta, g, i, wd);
    const si = load<f32>(at(s, i)) + grad * grad;
    store<f32>(at(s, i), si);
    store<f32>(at(theta, i), load<f32>(at(theta, i)) - lr * (grad / (Mathf.sqrt(si) + epsilon)));
  }
}

/** Adadelta: v ← ρ·v + (1 − ρ)·g²;  Δ = √(u + ε)/√(v + ε)·g;  u ← ρ·u + (1 − ρ)·Δ²;  θ ← θ − lr·Δ. */
export function adadelta(theta: usize, g: usize, v: usize, u: usize, n: i32, wd: f32, rho: f32, oneMinusRho: f32, epsilon: f32, lr: f32): void {
  for (let i = 0; i < n; i++) {
    const grad = withL2(theta, g, i, wd);
    const vi = rho * load<f32>(at(v, i)) + oneMinusRho * (grad * grad);
    store<f32>(at(v, i), vi);
    const delta = (Mathf.sqrt(load<f32>(at(u, i)) + epsilon) / Mathf.sqrt(vi + epsilon)) * grad;
    store<f32>(at(u, i), rho * load<f32>(at(u, i)) + oneMinusRho * (delta * delta));
    store<f32>(at(theta, i), load<f32>(at(theta, i)) - lr * delta);
  }
}

/** Adamax: m ← β1·m + (1 − β1)·g;  u ← max(β2·u, |g| + ε);  θ ← θ − stepSize·m/u, stepSize = lr/(1 − β1ᵗ). */
export function adamax(theta: usize, g: usize, m: usize, u: usize, n: i32, wd: f32, b1: f32, oneMinusB1: f32, b2: f32, epsilon: f32, stepSize: f32): void {
  for (let i = 0; i < n; i++) {
    const grad = withL2(theta, g, i, wd);
    const mi = b1 * load<f32>(at(m, i)) + oneMinusB1 * grad;
    store<f32>(at(m, i), mi);
    const ui = Mathf.max(b2 * load<f32>(at(u, i)), Mathf.abs(grad) + epsilon);
    store<f32>(at(u, i), ui);
    store<f32>(at(theta, i), load<f32>(at(theta, i)) - stepSize * (mi / ui));
  }
}

@inline function sign(x: f32): f32 {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** Lion: c = β1·m + (1 − β1)·g;  θ ← θ − lr·(sign(c) + λ·θ);  m ← β2·m + (1 − β2)·g. */
export function lion(theta: usize, g: usize, m: usize, n: i32, lr: f32, b1: f32, oneMinusB1: f32, b2: f32, oneMinusB2: f32, wd: f32): void {
  for (let i = 0; i < n; i++) {
    const gi = load<f32>(at(g, i));
    const mi = load<f32>(at(m, i));
    const c = b1 * mi + oneMinusB1 * gi;
    const t = load<f32>(at(theta, i));
    const decayed = wd == 0 ? sign(c) : sign(c) + wd * t;
    store<f32>(at(theta, i), t - lr * decayed);
    store<f32>(at(m, i), b2 * mi + oneMinusB2 * gi);
  }
}

/** √(mean(x²)) over n values. */
function rms(x: usize, n: i32): f32 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    sum += <f64>(v * v);
  }
  return Mathf.sqrt(<f32>(sum / <f64>n));
}

/**
 * Adafactor on one parameter (models/train/optimizers/adafactor.ts): rows × cols for a matrix
 * (factored: row moments r[rows], column moments c[cols]), cols = 0 for a vector (full v[n]).
 * rho = ρₜ; alpha = αₜ is computed here when scaleParameter (RMS(θ) needs θ). u: scratch of n.
 */
export function adafactor(theta: usize, g: usize, rows: i32, cols: i32, r: usize, c: usize, v: usize, m: usize, u: usize, rho: f32, scaleParameter: i32, epsilon1: f32, epsilon2: f32, beta2: f32, clipThreshold: f32, beta1: f32, wd: f32): void {
  const n = cols > 0 ? rows * cols : rows;
  const alpha: f32 = scaleParameter != 0 ? Mathf.max(epsilon2, rms(theta, n)) * rho : rho;
  const keep: f32 = 1 - beta2;
  if (cols > 0) {
    // r ← β̂2·r + (1 − β̂2)·rowmean(g² + ε1);  c ← β̂2·c + (1 − β̂2)·colmean(g² + ε1)
    for (let i = 0; i < rows; i++) {
      let sum: f32 = 0;
      for (let j = 0; j < cols; j++) {
        const gi = load<f32>(at(g, i * cols + j));
        sum += gi * gi + epsilon1;
      }
      store<f32>(at(r, i), beta2 * load<f32>(at(r, i)) + keep * (sum / <f32>cols));
    }
    for (let j = 0; j < cols; j++) {
      let sum: f32 = 0;
      for (let i = 0; i < rows; i++) {
        const gi = load<f32>(at(g, i * cols + j));
        sum += gi * gi + epsilon1;
      }
      store<f32>(at(c, j), beta2 * load<f32>(at(c, j)) + keep * (sum / <f32>rows));
    }
    let rSum: f32 = 0;
    for (let i = 0; i < rows; i++) rSum += load<f32>(at(r, i));
    const rMean = rSum / <f32>rows;
    // V̂ = r·cᵀ / mean(r);  u = g/√V̂
    for (let i = 0; i < rows; i++) {
      const ri = load<f32>(at(r, i));
      for (let j = 0; j < cols; j++) {
        const k = i * cols + j;
        store<f32>(at(u, k), load<f32>(at(g, k)) / Mathf.sqrt((ri * load<f32>(at(c, j))) / rMean));
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const gi = load<f32>(at(g, i));
      const vi = beta2 * load<f32>(at(v, i)) + keep * (gi * gi + epsilon1);
      store<f32>(at(v, i), vi);
      store<f32>(at(u, i), gi / Mathf.sqrt(vi));
    }
  }
  // Update clipping: Û = U / max(1, RMS(U)/d)
  const clip = Mathf.max(1, rms(u, n) / clipThreshold);
  for (let i = 0; i < n; i++) {
    let ui = load<f32>(at(u, i)) / clip;
    if (beta1 > 0) {
      ui = beta1 * load<f32>(at(m, i)) + (1 - beta1) * ui;
      store<f32>(at(m, i), ui);
    }
    const t = load<f32>(at(theta, i));
    let next = t - alpha * ui;
    if (wd > 0) next = next - alpha * wd * t;
    store<f32>(at(theta, i), next);
  }
}

/** g ← clamp(g, −c, c). */
export function clipValues(g: usize, n: i32, c: f32): void {
  for (let i = 0; i < n; i++) store<f32>(at(g, i), Mathf.min(Mathf.max(load<f32>(at(g, i)), -c), c));
}

/** Σ g²: four f32 lanes per block of 1,024 values, each block's sum added in f64. */
export function sumSquares(g: usize, n: i32): f64 {
  let sum: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n & ~3, i + 1024);
    let s4 = f32x4.splat(0);
    for (; i < end; i += 4) {
      const v = v128.load(at(g, i));
      s4 = f32x4.add(s4, f32x4.mul(v, v));
    }
    sum += <f64>f32x4.extract_lane(s4, 0) + <f64>f32x4.extract_lane(s4, 1) + <f64>f32x4.extract_lane(s4, 2) + <f64>f32x4.extract_lane(s4, 3);
  }
  for (; i < n; i++) {
    const v = load<f32>(at(g, i));
    sum += <f64>(v * v);
  }
  return sum;
}

/** g ← s·g. */
export function scale(g: usize, n: i32, s: f32): void {
  const n4 = n & ~3;
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i < n4; i += 4) v128.store(at(g, i), f32x4.mul(v128.load(at(g, i)), vs));
  for (; i < n; i++) store<f32>(at(g, i), load<f32>(at(g, i)) * s);
}
