import { describe, expect, it } from 'vitest';
import { compact, exponential, fixed } from '../../renderer/lib/format';

describe('renderer number formats', () => {
  it('compact: 3 significant digits, whole numbers from 1,000, exponents for the tiny and the huge', () => {
    expect([0, 0.5, 0.123456, -2.345, 12.3456, 999.4].map(compact)).toEqual(['0', '0.5', '0.123', '-2.35', '12.3', '999']);
    expect([1000, 52341.7, -120000, 99_999_999].map(compact)).toEqual(['1000', '52342', '-120000', '99999999']);
    expect([0.001, 0.00025, 2.5e-5, 1e-5, 3.2e9].map(compact)).toEqual(['0.001', '2.5e-4', '2.5e-5', '1e-5', '3.2e+9']);
    // Chart.js hands tick values over as numbers or numeric strings.
    expect(compact('0.0001')).toBe('1e-4');
  });

  it('fixed and exponential digits', () => {
    expect(fixed(0.12345, 3)).toBe('0.123');
    expect(exponential(2.5e-5, 1)).toBe('2.5e-5');
  });

  it('a missing or diverged value (a NaN loss arrives as null over JSON) reads as a dash', () => {
    for (const f of [compact, (v: number | null) => fixed(v, 2), (v: number | null) => exponential(v, 1)]) {
      expect([null, NaN, Infinity].map((v) => f(v as number | null))).toEqual(['—', '—', '—']);
    }
  });
});
