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
