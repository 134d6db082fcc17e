/**
 * Matrix products for dense layers, f32, WebAssembly SIMD (4 lanes).
 *
 *   gemm:  C[m,n] (+)= Σₖ A(m,k) · B[k,n]     A read through strides, B and C row-major
 *   gemv:  y[m]   (+)= Σₖ A[m,k] · x[k]       one output column (a 1-unit layer)
 *
 * A(m,k) lives at a + 4·(m·sam + k·sak), so one kernel serves X·W (sam = K, sak = 1) and
 * Xᵀ·dZ (sam = 1, sak = rows of X) without copying. B's rows are contiguous: the 16 (or 4)
 * columns of C computed together are one, four or sixteen consecutive floats of a row of B,
 * and each A(m,k) is broadcast to all lanes. Blocks of 4 rows × 16 columns keep 16 vector
 * accumulators in registers; edges fall back to 4-column and scalar loops.
 */

@inline function ptr(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** C[m0..m0+4, n..n+16) over all k. */
@inline function block4x16(a: usize, sam: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, K: i32, acc: bool): void {
  const a0 = ptr(a, m * sam);
  const a1 = ptr(a0, sam);
  const a2 = ptr(a1, sam);
  const a3 = ptr(a2, sam);
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0), c23 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0), c32 = f32x4.splat(0), c33 = f32x4.splat(0);
  let bp = ptr(b, n);
  const bStep = <usize>ldb << 2;
  const aStep = <usize>sak << 2;
  let ao: usize = 0;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32), b3 = v128.load(bp, 48);
    let s = f32x4.splat(load<f32>(a0 + ao));
    c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    c02 = f32x4.add(c02, f32x4.mul(s, b2)); c03 = f32x4.add(c03, f32x4.mul(s, b3));
    s = f32x4.splat(load<f32>(a1 + ao));
    c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    c12 = f32x4.add(c12, f32x4.mul(s, b2)); c13 = f32x4.add(c13, f32x4.mul(s, b3));
    s = f32x4.splat(load<f32>(a2 + ao));
    c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    c22 = f32x4.add(c22, f32x4.mul(s, b2)); c23 = f32x4.add(c23, f32x4.mul(s, b3));
    s = f32x4.splat(load<f32>(a3 + ao));
    c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    c32 = f32x4.add(c32, f32x4.mul(s, b2)); c33 = f32x4.add(c33, f32x4.mul(s, b3));
    bp += bStep;
    ao += aStep;
  }
  const r0 = ptr(c, m * ldc + n);
  const r1 = ptr(r0, ldc);
  const r2 = ptr(r1, ldc);
  const r3 = ptr(r2, ldc);
  if (acc) {
    c00 = f32x4.add(c00, v128.load(r0)); c01 = f32x4.add(c01, v128.load(r0, 16)); c02 = f32x4.add(c02, v128.load(r0, 32)); c03 = f32x4.add(c03, v128.load(r0, 48));
    c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16)); c12 = f32x4.add(c12, v128.load(r1, 32)); c13 = f32x4.add(c13, v128.load(r1, 48));
    c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16)); c22 = f32x4.add(c22, v128.load(r2, 32)); c23 = f32x4.add(c23, v128.load(r2, 48));
    c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16)); c32 = f32x4.add(c32, v128.load(r3, 32)); c33 = f32x4.add(c33, v128.load(r3, 48));
  }
  v128.store(r0, c00); v128.store(r0, c01, 16); v128.store(r0, c02, 32); v128.store(r0, c03, 48);
  v128.store(r1, c10); v128.store(r1, c11, 16); v128.store(r1, c12, 32); v128.store(r1, c13, 48);
  v128.store(r2, c20); v128.store(r2, c21, 16); v128.store(r2, c22, 32); v128.store(r2, c23, 48);
  v128.store(r3, c30); v128.store(r3, c31, 16); v128.store(r3, c32, 32); v128.store(r3, c33, 48);
}

/** C[m0..m0+4, n..n+4) over all k. */
@inline function block4x4(a: usize, sam: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, K: i32, acc: bool): void {
  const a0 = ptr(a, m * sam);
  const a1 = ptr(a0, sam);
  const a2 = ptr(a1, sam);
  const a3 = ptr(a2, sam);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let bp = ptr(b, n);
  const bStep = <usize>ldb << 2;
  const aStep = <usize>sak << 2;
  let ao: usize = 0;
  for (let k = 0; k < K; k++) {
    const bv = v128.load(bp);
    c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(a0 + ao)), bv));
    c1 = f32x4.add(c1, f32x4.mul(f32x4.splat(load<f32>(a1 + ao)), bv));
    c2 = f32x4.add(c2, f32x4.mul(f32x4.splat(load<f32>(a2 + ao)), bv));
    c3 = f32x4.add(c3, f32x4.mul(f32x4.splat(load<f32>(a3 + ao)), bv));
    bp += bStep;
    ao += aStep;
  }
  const r0 = ptr(c, m * ldc + n);
  const r1 = ptr(r0, ldc);
  const r2 = ptr(r1, ldc);
  const r3 = ptr(r2, ldc);
  if (acc) {
    c0 = f32x4.add(c0, v128.load(r0)); c1 = f32x4.add(c1, v128.load(r1));
    c2 = f32x4.add(c2, v128.load(r2)); c3 = f32x4.add(c3, v128.load(r3));
  }
  v128.store(r0, c0); v128.store(r1, c1); v128.store(r2, c2); v128.store(r3, c3);
}

/** C[m, n..n+16) over all k (one row). */
@inline function block1x16(a: usize, sam: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, K: i32, acc: bool): void {
  const a0 = ptr(a, m * sam);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let bp = ptr(b, n);
  const bStep = <usize>ldb << 2;
  const aStep = <usize>sak << 2;
  let ao: usize = 0;
  for (let k = 0; k < K; k++) {
    const s = f32x4.splat(load<f32>(a0 + ao));
    c0 = f32x4.add(c0, f32x4.mul(s, v128.load(bp)));
    c1 = f32x4.add(c1, f32x4.mul(s, v128.load(bp, 16)));
    c2 = f32x4.add(c2, f32x4.mul(s, v128.load(bp, 32)));
    c3 = f32x4.add(c3, f32x4.mul(s, v128.load(bp, 48)));
    bp += bStep;
    ao += aStep;
  }
  const r0 = ptr(c, m * ldc + n);
  if (acc) {
    c0 = f32x4.add(c0, v128.load(r0)); c1 = f32x4.add(c1, v128.load(r0, 16));
    c2 = f32x4.add(c2, v128.load(r0, 32)); c3 = f32x4.add(c3, v128.load(r0, 48));
  }
  v128.store(r0, c0); v128.store(r0, c1, 16); v128.store(r0, c2, 32); v128.store(r0, c3, 48);
}

/** C[m, n..n+4) over all k (one row). */
@inline function block1x4(a: usize, sam: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, K: i32, acc: bool): void {
  const a0 = ptr(a, m * sam);
  let c0 = f32x4.splat(0);
  let bp = ptr(b, n);
  const bStep = <usize>ldb << 2;
  const aStep = <usize>sak << 2;
  let ao: usize = 0;
  for (let k = 0; k < K; k++) {
    c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(a0 + ao)), v128.load(bp)));
    bp += bStep;
    ao += aStep;
  }
  const r0 = ptr(c, m * ldc + n);
  if (acc) c0 = f32x4.add(c0, v128.load(r0));
  v128.store(r0, c0);
}

/** C[m, n] over all k (one element). */
@inline function block1x1(a: usize, sam: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, K: i32, acc: bool): void {
  const a0 = ptr(a, m * sam);
  let sum: f32 = 0;
  for (let k = 0; k < K; k++) sum += load<f32>(ptr(a0, k * sak)) * load<f32>(ptr(b, k * ldb + n));
  const r = ptr(c, m * ldc + n);
  store<f32>(r, acc ? load<f32>(r) + sum : sum);
}

/** C[M×N] = A·B (acc = 0) or C += A·B (acc = 1). */
export function gemm(a: usize, sam: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, M: i32, N: i32, K: i32, acc: i32): void {
  const add = acc != 0;
  const n16 = N & ~15;
  const n4 = N & ~3;
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    let n = 0;
    for (; n < n16; n += 16) block4x16(a, sam, sak, b, ldb, c, ldc, m, n, K, add);
    for (; n < n4; n += 4) block4x4(a, sam, sak, b, ldb, c, ldc, m, n, K, add);
    for (; n < N; n++) {
      block1x1(a, sam, sak, b, ldb, c, ldc, m, n, K, add);
      block1x1(a, sam, sak, b, ldb, c, ldc, m + 1, n, K, add);
      block1x1(a, sam, sak, b, ldb, c, ldc, m + 2, n, K, add);
      block1x1(a, sam, sak, b, ldb, c, ldc, m + 3, n, K, add);
    }
  }
  for (; m < M; m++) {
    let n = 0;
    for (; n < n16; n += 16) block1x16(a, sam, sak, b, ldb, c, ldc, m, n, K, add);
    for (; n < n4; n += 4) block1x4(a, sam, sak, b, ldb, c, ldc, m, n, K, add);
    for (; n < N; n++) block1x1(a, sam, sak, b, ldb, c, ldc, m, n, K, add);
  }
}

/** y[m] = Σₖ A[m,k]·x[k] (+ y[m] when acc): A row-major with lda floats per row. */
export function gemv(a: usize, lda: i32, x: usize, y: usize, M: i32, K: i32, acc: i32): void {
  const k4 = K & ~3;
  for (let m = 0; m < M; m++) {
    const row = ptr(a, m * lda);
    let s4 = f32x4.splat(0);
    let k = 0;
    for (; k < k4; k += 4) s4 = f32x4.add(s4, f32x4.mul(v128.load(ptr(row, k)), v128.load(ptr(x, k))));
    let sum: f32 = f32x4.extract_lane(s4, 0) + f32x4.extract_lane(s4, 1) + f32x4.extract_lane(s4, 2) + f32x4.extract_lane(s4, 3);
    for (; k < K; k++) sum += load<f32>(ptr(row, k)) * load<f32>(ptr(x, k));
    const out = ptr(y, m);
    store<f32>(out, acc != 0 ? load<f32>(out) + sum : sum);
  }
}

/** out[N×M] = inᵀ for in[M×N] (row-major both). */
export function transpose(src: usize, dst: usize, M: i32, N: i32): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) store<f32>(ptr(dst, n * M + m), load<f32>(ptr(src, m * N + n)));
  }
}
