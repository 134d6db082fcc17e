/**
 * Elementwise parts of dense layers, f32: bias + activation, their derivatives, batch
 * normalization, dropout, and gathering a mini-batch's rows. Formulas follow tfjs' kernels and
 * gradients, so that a step here equals the tape's step to float32 rounding.
 *
 * Activation codes: 0 linear, 1 relu, 2 tanh, 3 sigmoid, 4 elu (α = 1), 5 selu, 6 softmax (rows).
 */

const SELU_SCALE: f32 = 1.0507009873554804934193349852946;
const SELU_SCALE_ALPHA: f32 = 1.7580993408473768599402175208123;

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

@inline function sigmoid(x: f32): f32 {
  return <f32>1 / (<f32>1 + Mathf.exp(-x));
}

/** z[i,n] += bias[n]; y = act(z) (y may alias nothing; softmax normalizes each row). */
export function biasActivation(z: usize, bias: usize, y: usize, M: i32, N: i32, act: i32): void {
  const n4 = N & ~3;
  for (let m = 0; m < M; m++) {
    const zr = at(z, m * N);
    let n = 0;
    for (; n < n4; n += 4) v128.store(at(zr, n), f32x4.add(v128.load(at(zr, n)), v128.load(at(bias, n))));
    for (; n < N; n++) store<f32>(at(zr, n), load<f32>(at(zr, n)) + load<f32>(at(bias, n)));
  }
  activate(z, y, M, N, act);
}

/** y = act(z) for M rows of N values. */
export function activate(z: usize, y: usize, M: i32, N: i32, act: i32): void {
  const count = M * N;
  if (act == 0) {
    memory.copy(y, z, <usize>count << 2);
  } else if (act == 1) {
    const zero = f32x4.splat(0);
    const c4 = count & ~3;
    let i = 0;
    for (; i < c4; i += 4) v128.store(at(y, i), f32x4.max(v128.load(at(z, i)), zero));
    for (; i < count; i++) store<f32>(at(y, i), Mathf.max(load<f32>(at(z, i)), 0));
  } else if (act == 2) {
    for (let i = 0; i < count; i++) store<f32>(at(y, i), Mathf.tanh(load<f32>(at(z, i))));
  } else if (act == 3) {
    for (let i = 0; i < count; i++) store<f32>(at(y, i), sigmoid(load<f32>(at(z, i))));
  } else if (act == 4) {
    for (let i = 0; i < count; i++) {
      const x = load<f32>(at(z, i));
      store<f32>(at(y, i), x > 0 ? x : Mathf.exp(x) - 1);
    }
  } else if (act == 5) {
    for (let i = 0; i < count; i++) {
      const x = load<f32>(at(z, i));
      store<f32>(at(y, i), x > 0 ? SELU_SCALE * x : SELU_SCALE_ALPHA * (Mathf.exp(x) - 1));
    }
  } else {
    // softmax per row: exp(z − max) / Σ exp(z − max)
    for (let m = 0; m < M; m++) {
      const zr = at(z, m * N);
      const yr = at(y, m * N);
      let max = load<f32>(zr);
      for (let n = 1; n < N; n++) max = Mathf.max(max, load<f32>(at(zr, n)));
      let sum: f32 = 0;
      for (let n = 0; n < N; n++) {
        const e = Mathf.exp(load<f32>(at(zr, n)) - max);
        store<f32>(at(yr, n), e);
        sum += e;
      }
      for (let n = 0; n < N; n++) store<f32>(at(yr, n), load<f32>(at(yr, n)) / sum);
    }
  }
}

/**
 * dz = dy · act′ (error derivative with respect to the layer's total input), from the input z
 * and the output y: relu 1[z > 0], tanh 1 − y², sigmoid y(1 − y), elu 1[y ≥ 0] or y + 1,
 * selu scale (z > 0) or scale·α·eᶻ. In place when dz = dy.
 */
export function activationBackward(dy: usize, z: usize, y: usize, dz: usize, count: i32, act: i32): void {
  if (act == 0) {
    if (dz != dy) memory.copy(dz, dy, <usize>count << 2);
  } else if (act == 1) {
    const zero = f32x4.splat(0);
    const c4 = count & ~3;
    let i = 0;
    for (; i < c4; i += 4) {
      const keep = f32x4.gt(v128.load(at(z, i)), zero);
      v128.store(at(dz, i), v128.and(v128.load(at(dy, i)), keep));
    }
    for (; i < count; i++) store<f32>(at(dz, i), load<f32>(at(z, i)) > 0 ? load<f32>(at(dy, i)) : 0);
  } else if (act == 2) {
    for (let i = 0; i < count; i++) {
      const v = load<f32>(at(y, i));
      store<f32>(at(dz, i), load<f32>(at(dy, i)) * (1 - v * v));
    }
  } else if (act == 3) {
    for (let i = 0; i < count; i++) {
      const v = load<f32>(at(y, i));
      store<f32>(at(dz, i), load<f32>(at(dy, i)) * (v * (1 - v)));
    }
  } else if (act == 4) {
    for (let i = 0; i < count; i++) {
      const v = load<f32>(at(y, i));
      const g = load<f32>(at(dy, i));
      store<f32>(at(dz, i), v >= 0 ? g : g * (v + 1));
    }
  } else if (act == 5) {
    for (let i = 0; i < count; i++) {
      const x = load<f32>(at(z, i));
      const g = load<f32>(at(dy, i));
      store<f32>(at(dz, i), x > 0 ? g * SELU_SCALE : g * SELU_SCALE_ALPHA * Mathf.exp(x));
    }
  }
}

/** out[n] (+)= Σₘ d[m,n]: the bias gradient. */
export function columnSums(d: usize, M: i32, N: i32, out: usize, acc: i32): void {
  if (acc == 0) memory.fill(out, 0, <usize>N << 2);
  const n4 = N & ~3;
  for (let m = 0; m < M; m++) {
    const row = at(d, m * N);
    let n = 0;
    for (; n < n4; n += 4) v128.store(at(out, n), f32x4.add(v128.load(at(out, n)), v128.load(at(row, n))));
    for (; n < N; n++) store<f32>(at(out, n), load<f32>(at(out, n)) + load<f32>(at(row, n)));
  }
}

/**
 * Batch normalization in training mode, per column n over the M rows of x:
 *   μ = mean(x),  σ² = mean((x − μ)²)  (biased, as tf.moments),  r = 1/√(σ² + ε)
 *   x̂ = (x − μ)·r,  y = γ·x̂ + β
 *   moving ← moving − (moving − batch)·(1 − momentum)   (tfjs-layers' update, for μ and σ²)
 * Keeps x̂ and r for the backward pass.
 */
export function batchNormTrain(x: usize, M: i32, N: i32, gamma: usize, beta: usize, epsilon: f32, momentum: f32, movingMean: usize, movingVar: usize, xhat: usize, rstd: usize, y: usize): void {
  const inv: f32 = <f32>1 / <f32>M;
  const decay: f32 = 1 - momentum;
  for (let n = 0; n < N; n++) {
    let sum: f32 = 0;
    for (let m = 0; m < M; m++) sum += load<f32>(at(x, m * N + n));
    const mean = sum * inv;
    let sq: f32 = 0;
    for (let m = 0; m < M; m++) {
      const d = load<f32>(at(x, m * N + n)) - mean;
      sq += d * d;
    }
    const variance = sq * inv;
    const r = <f32>1 / Mathf.sqrt(variance + epsilon);
    store<f32>(at(rstd, n), r);
    const g = load<f32>(at(gamma, n));
    const b = load<f32>(at(beta, n));
    for (let m = 0; m < M; m++) {
      const i = m * N + n;
      const h = (load<f32>(at(x, i)) - mean) * r;
      store<f32>(at(xhat, i), h);
      store<f32>(at(y, i), h * g + b);
    }
    const mm = load<f32>(at(movingMean, n));
    store<f32>(at(movingMean, n), mm - (mm - mean) * decay);
    const mv = load<f32>(at(movingVar, n));
    store<f32>(at(movingVar, n), mv - (mv - variance) * decay);
  }
}

/**
 * Backward of batchNormTrain (μ and σ² depend on x):
 *   ∂γ += Σ dy·x̂,  ∂β += Σ dy
 *   dx = γ·r/M · (M·dy − Σdy − x̂·Σ(dy·x̂))
 */
export function batchNormBackward(dy: usize, xhat: usize, rstd: usize, gamma: usize, M: i32, N: i32, dx: usize, dgamma: usize, dbeta: usize, acc: i32): void {
  const fm = <f32>M;
  for (let n = 0; n < N; n++) {
    let sdy: f32 = 0;
    let sdyx: f32 = 0;
    for (let m = 0; m < M; m++) {
      const i = m * N + n;
      const g = load<f32>(at(dy, i));
      sdy += g;
      sdyx += g * load<f32>(at(xhat, i));
    }
    store<f32>(at(dgamma, n), acc != 0 ? load<f32>(at(dgamma, n)) + sdyx : sdyx);
    store<f32>(at(dbeta, n), acc != 0 ? load<f32>(at(dbeta, n)) + sdy : sdy);
    const scale = load<f32>(at(gamma, n)) * load<f32>(at(rstd, n)) / fm;
    for (let m = 0; m < M; m++) {
      const i = m * N + n;
      store<f32>(at(dx, i), scale * (fm * load<f32>(at(dy, i)) - sdy - load<f32>(at(xhat, i)) * sdyx));
    }
  }
}

/** Inference: y = (x − moving μ)·γ/√(moving σ² + ε) + β. */
export function batchNormInfer(x: usize, M: i32, N: i32, gamma: usize, beta: usize, epsilon: f32, movingMean: usize, movingVar: usize, y: usize): void {
  for (let n = 0; n < N; n++) {
    const r = load<f32>(at(gamma, n)) / Mathf.sqrt(load<f32>(at(movingVar, n)) + epsilon);
    const mean = load<f32>(at(movingMean, n));
    const b = load<f32>(at(beta, n));
    for (let m = 0; m < M; m++) {
      const i = m * N + n;
      store<f32>(at(y, i), (load<f32>(at(x, i)) - mean) * r + b);
    }
  }
}

/** A 32-bit hash of (key, i) (murmur3's finalizer over a Weyl sequence): dropout's random numbers. */
@inline function hash(key: u32, i: u32): u32 {
  let h = key ^ (i * 0x9e3779b9);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/**
 * Dropout: mask[i] = 1/(1 − rate) with probability 1 − rate, else 0, from u = hash(key, i)/2³²
 * (kept when u ≥ rate, as tf.dropout's floor(u + keep)); out = x·mask.
 */
export function dropout(x: usize, out: usize, mask: usize, count: i32, rate: f32, key: u32): void {
  const keep: f32 = 1 - rate;
  const scale: f32 = <f32>1 / keep;
  const threshold = <f64>rate * 4294967296.0;
  for (let i = 0; i < count; i++) {
    const m: f32 = <f64>hash(key, <u32>i) >= threshold ? scale : 0;
    store<f32>(at(mask, i), m);
    store<f32>(at(out, i), load<f32>(at(x, i)) * m);
  }
}

/** d ← d·mask (dropout's backward), count values. */
export function multiply(d: usize, mask: usize, count: i32): void {
  const c4 = count & ~3;
  let i = 0;
  for (; i < c4; i += 4) v128.store(at(d, i), f32x4.mul(v128.load(at(d, i)), v128.load(at(mask, i))));
  for (; i < count; i++) store<f32>(at(d, i), load<f32>(at(d, i)) * load<f32>(at(mask, i)));
}

/** out[r, :] = x[index[first + r], :] for r < count (cols floats a row); targets alike. */
export function gatherRows(x: usize, y: usize, cols: i32, index: usize, first: i32, count: i32, outX: usize, outY: usize): void {
  const bytes = <usize>cols << 2;
  for (let r = 0; r < count; r++) {
    const row = load<i32>(at(index, first + r));
    memory.copy(at(outX, r * cols), at(x, row * cols), bytes);
    store<f32>(at(outY, r), load<f32>(at(y, row)));
  }
}

/** out[r] = v[index[first + r]] for r < count (per-row class weights). */
export function gatherValues(v: usize, index: usize, first: i32, count: i32, out: usize): void {
  for (let r = 0; r < count; r++) store<f32>(at(out, r), load<f32>(at(v, load<i32>(at(index, first + r)))));
}
