/**
 * Number formatting for tables and counters. A value that is missing or not finite (a diverged
 * run's NaN loss arrives as null over JSON) reads "—" instead of breaking the render.
 */
export function fixed(v: number | null | undefined, digits: number): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—';
}

export function exponential(v: number | null | undefined, digits: number): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toExponential(digits) : '—';
}

/**
 * Short labels for chart ticks, axis ends and column statistics: 3 significant digits, whole
 * numbers from 1,000 up, exponents for the tiny and the huge (2.5e-5, 1.2e+9); never "2.500000E-5".
 */
export function compact(v: number | string | null | undefined): string {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  if (n === 0) return '0';
  const a = Math.abs(n);
  if (a < 1e-3 || a >= 1e9) return n.toExponential(1).replace('.0e', 'e');
  if (a >= 1000) return n.toFixed(0);
  return String(Number(n.toPrecision(3)));
}
