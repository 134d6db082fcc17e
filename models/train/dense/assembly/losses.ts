/**
 * Training losses on the output layer and their error derivative with respect to its total
 * input z (the sigmoid / softmax / identity folded in), f32. Per example i with weight wᵢ
 * (1 without class weights) and W = Σ wᵢ, the loss is Σ wᵢ·ℓᵢ / W (taskLoss in nn/losses.ts):
 *
 *   binary      p = σ(z) clipped to [ε, 1 − ε];  ℓ = −[y·log p + (1 − y)·log(1 − p)]
 *               ∂/∂z = wᵢ/W · (p − y) where p was not clipped, else 0 (tf.clipByValue's gradient)
 *   multiclass  p = softmax(z) clipped;  ℓ = −log p_c  (c the class)
 *               ∂/∂z_j = wᵢ/W · (p_j − 1[j = c]) where p_c was not clipped, else 0
 *   regression  ℓ = (z − y)²;  ∂/∂z = wᵢ/W · 2(z − y)
 *
 * Returns the loss (nats, or squared standard units); writes ∂/∂z to dz.
 */

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** task: 0 binary, 1 multiclass, 2 regression. weights: one per row, or 0 for none. */
export function lossAndGradient(task: i32, out: usize, M: i32, C: i32, target: usize, weights: usize, epsilon: f32, dz: usize): f64 {
  let total: f64 = 0;
  if (weights != 0) {
    for (let i = 0; i < M; i++) total += <f64>load<f32>(at(weights, i));
  } else {
    total = <f64>M;
  }
  const invTotal: f32 = <f32>(1 / total);
  let loss: f64 = 0;
  const hi: f32 = 1 - epsilon;
  for (let i = 0; i < M; i++) {
    const w: f32 = weights != 0 ? load<f32>(at(weights, i)) : 1;
    const scale: f32 = w * invTotal;
    const y = load<f32>(at(target, i));
    if (task == 0) {
      const p = load<f32>(at(out, i));
      const q = Mathf.min(Mathf.max(p, epsilon), hi);
      const l = -(y * Mathf.log(q) + (1 - y) * Mathf.log(1 - q));
      loss += <f64>(w * l);
      store<f32>(at(dz, i), p >= epsilon && p <= hi ? scale * (p - y) : 0);
    } else if (task == 1) {
      const c = <i32>y;
      const row = at(out, i * C);
      const p = load<f32>(at(row, c));
      const q = Mathf.min(Mathf.max(p, epsilon), hi);
      loss += <f64>(w * -Mathf.log(q));
      const live = p >= epsilon && p <= hi;
      for (let j = 0; j < C; j++) {
        const pj = load<f32>(at(row, j));
        store<f32>(at(dz, i * C + j), live ? scale * (pj - (j == c ? <f32>1 : <f32>0)) : 0);
      }
    } else {
      const d = load<f32>(at(out, i)) - y;
      loss += <f64>(w * d * d);
      store<f32>(at(dz, i), scale * 2 * d);
    }
  }
  return loss / total;
}

/** Loss only (evaluation): the same per-example formulas without the derivative. */
export function lossOnly(task: i32, out: usize, M: i32, C: i32, target: usize, epsilon: f32): f64 {
  let loss: f64 = 0;
  const hi: f32 = 1 - epsilon;
  for (let i = 0; i < M; i++) {
    const y = load<f32>(at(target, i));
    if (task == 0) {
      const q = Mathf.min(Mathf.max(load<f32>(at(out, i)), epsilon), hi);
      loss += <f64>(-(y * Mathf.log(q) + (1 - y) * Mathf.log(1 - q)));
    } else if (task == 1) {
      const q = Mathf.min(Mathf.max(load<f32>(at(out, i * C + <i32>y)), epsilon), hi);
      loss += <f64>-Mathf.log(q);
    } else {
      const d = load<f32>(at(out, i)) - y;
      loss += <f64>(d * d);
    }
  }
  return loss / <f64>M;
}

/** g += l1·sign(θ) + 2·l2·θ (sign(0) = −1, as tfjs' |x| gradient); returns l1·Σ|θ| + l2·Σθ². */
export function penalty(theta: usize, g: usize, count: i32, l1: f32, l2: f32): f64 {
  let abs: f64 = 0;
  let sq: f64 = 0;
  const twoL2: f32 = 2 * l2;
  for (let i = 0; i < count; i++) {
    const t = load<f32>(at(theta, i));
    abs += <f64>Mathf.abs(t);
    sq += <f64>(t * t);
    store<f32>(at(g, i), load<f32>(at(g, i)) + l1 * (t > 0 ? <f32>1 : <f32>-1) + twoL2 * t);
  }
  return <f64>l1 * abs + <f64>l2 * sq;
}
