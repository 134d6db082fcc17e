/**
 * Matrix products for dense layers, f32, WebAssembly SIMD (4 lanes).
 *
 *   gemm:  C[m,n] (+)= Σₖ A(m,k) · B[k,n]     A read through strides, B and C row-major
 *   gemv:  y[m]   (+)= Σₖ A[m,k] · x[k]       one output column (a 1-unit layer)
 *
 * A(m,k) lives at a + 4·(m·sam + k·sak), so one kernel serves X·W (sam = K, sak = 1) and
 * Xᵀ·dZ (sam = 1, sak = rows of X) without copying. B's rows are contiguous: the 16 (or 4)
 * columns of C computed together are consecutive floats of a row of B, and each A(m,k) is
 * broadcast to all lanes. Blocks of 2 rows × 16 columns keep 8 vector accumulators, the 4
 * vectors of B and the broadcast in registers (13 of x86-64's 16; 4 × 16 blocks spill and
 * measured 20–40% slower); edges fall back to 4-column and scalar loops.
 *
 * Built twice (scripts/build.mjs): with plain SIMD, a multiply then an add, and with relaxed
 * SIMD, where `madd` is one fused multiply-add on CPUs that have it (~1.3× faster here).
 */

@inline function ptr(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** c + a·b, fused where relaxed SIMD is enabled (then rounded once instead of twice). */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** C[m..m+2, n..n+16) over all k. */
@inline function block2x16(a: usize, sam: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, K: i32, acc: bool): void {
  const a0 = ptr(a, m * sam);
  const a1 = ptr(a0, sam);
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  let bp = ptr(b, n);
  const bStep = <usize>ldb << 2;
  const aStep = <usize>sak << 2;
  let ao: usize = 0;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32), b3 = v128.load(bp, 48);
    const s0 = f32x4.splat(load<f32>(a0 + ao));
    c00 = madd(s0, b0, c00); c01 = madd(s0, b1, c01); c02 = madd(s0, b2, c02); c03 = madd(s0, b3, c03);
    const s1 = f32x4.splat(load<f32>(a1 + ao));
    c10 = madd(s1, b0, c10); c11 = madd(s1, b1, c11); c12 = madd(s1, b2, c12); c13 = madd(s1, b3, c13);
    bp += bStep;
    ao += aStep;
  }
  const r0 = ptr(c, m * ldc + n);
  const r1 = ptr(r0, ldc);
  if (acc) {
    c00 = f32x4.add(c00, v128.load(r0)); c01 = f32x4.add(c01, v128.load(r0, 16)); c02 = f32x4.add(c02, v128.load(r0, 32)); c03 = f32x4.add(c03, v128.load(r0, 48));
    c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16)); c12 = f32x4.add(c12, v128.load(r1, 32)); c13 = f32x4.add(c13, v128.load(r1, 48));
  }
  v128.store(r0, c00); v128.store(r0, c01, 16); v128.store(r0, c02, 32); v128.store(r0, c03, 48);
  v128.store(r1, c10); v128.store(r1, c11, 16); v128.store(r1, c12, 32); v128.store(r1, c13, 48);
}

/** C[m..m+2, n..n+4) over all k. */
@inline function block2x4(a: usize, sam: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, K: i32, acc: bool): void {
  const a0 = ptr(a, m * sam);
  const a1 = ptr(a0, sam);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let bp = ptr(b, n);
  const bStep = <usize>ldb << 2;
  const aStep = <usize>sak << 2;
  let ao: usize = 0;
  for (let k = 0; k < K; k++) {
    const bv = v128.load(bp);
    c0 = madd(f32x4.splat(load<f32>(a0 + ao)), bv, c0);
    c1 = madd(f32x4.splat(load<f32>(a1 + ao)), bv, c1);
    bp += bStep;
    ao += aStep;
  }
  const r0 = ptr(c, m * ldc + n);
  const r1 = ptr(r0, ldc);
  if (acc) {
    c0 = f32x4.add(c0, v128.load(r0));
    c1 = f32x4.add(c1, v128.load(r1));
  }
  v128.store(r0, c0);
  v128.store(r1, c1);
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
    c0 = madd(s, v128.load(bp), c0);
    c1 = madd(s, v128.load(bp, 16), c1);
    c2 = madd(s, v128.load(bp, 32), c2);
    c3 = madd(s, v128.load(bp, 48), c3);
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
    c0 = madd(f32x4.splat(load<f32>(a0 + ao)), v128.load(bp), c0);
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
  for (; m + 2 <= M; m += 2) {
    let n = 0;
    for (; n < n16; n += 16) block2x16(a, sam, sak, b, ldb, c, ldc, m, n, K, add);
    for (; n < n4; n += 4) block2x4(a, sam, sak, b, ldb, c, ldc, m, n, K, add);
    for (; n < N; n++) {
      block1x1(a, sam, sak, b, ldb, c, ldc, m, n, K, add);
      block1x1(a, sam, sak, b, ldb, c, ldc, m + 1, n, K, add);
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
    for (; k < k4; k += 4) s4 = madd(v128.load(ptr(row, k)), v128.load(ptr(x, k)), s4);
    let sum: f32 = f32x4.extract_lane(s4, 0) + f32x4.extract_lane(s4, 1) + f32x4.extract_lane(s4, 2) + f32x4.extract_lane(s4, 3);
    for (; k < K; k++) sum += load<f32>(ptr(row, k)) * load<f32>(ptr(x, k));
    const out = ptr(y, m);
    store<f32>(out, acc != 0 ? load<f32>(out) + sum : sum);
  }
}

/** dst[N×M] = srcᵀ for src[M×N] (row-major both): 4×4 tiles transposed in registers, scalar edges. */
export function transpose(src: usize, dst: usize, M: i32, N: i32): void {
  const m4 = M & ~3;
  const n4 = N & ~3;
  for (let m = 0; m < m4; m += 4) {
    for (let n = 0; n < n4; n += 4) {
      const s = ptr(src, m * N + n);
      const r0 = v128.load(s);
      const r1 = v128.load(ptr(s, N));
      const r2 = v128.load(ptr(s, 2 * N));
      const r3 = v128.load(ptr(s, 3 * N));
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const d = ptr(dst, n * M + m);
      v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(ptr(d, M), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(ptr(d, 2 * M), v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(ptr(d, 3 * M), v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
    for (let n = n4; n < N; n++) {
      for (let i = m; i < m + 4; i++) store<f32>(ptr(dst, n * M + i), load<f32>(ptr(src, i * N + n)));
    }
  }
  for (let m = m4; m < M; m++) {
    for (let n = 0; n < N; n++) store<f32>(ptr(dst, n * M + m), load<f32>(ptr(src, m * N + n)));
  }
}
