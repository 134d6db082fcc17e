/**
 * Cumulative gains and lift of a binary classifier: rank the rows by P(positive), highest first,
 * and target the top share of them.
 *   targeted t  = share of all rows targeted (0..1)
 *   captured(t) = share of all positives among the targeted rows (0..1)
 *   lift(t)     = captured(t) / t   — how many times better than targeting at random (1 = random)
 * Rows with equal scores cannot be told apart, so within a tie group positives are captured in
 * proportion to the rows taken (the expected value under a random order): the curve is piecewise
 * linear between tie-group boundaries, exact at each boundary. At t = 0, lift is the limit, the
 * slope of the first segment (the top tie group's positive rate over the overall rate).
 *
 * Points: at every row boundary k/n when n + 1 ≤ maxPoints, else at maxPoints evenly spaced
 * shares 0, 1/(maxPoints−1), …, 1 (101 points by default: every percent).
 */
import { TickworkError } from '../../shared/errors.js';

export const MAX_GAINS_POINTS = 101;

export interface GainsPoint {
  targeted: number;
  captured: number;
  lift: number;
}

export interface GainsCurve {
  points: GainsPoint[];
  rows: number;
  positives: number;
}

/** Null when there are no rows or no positives (nothing to capture). */
export function cumulativeGains(scores: ArrayLike<number>, y: ArrayLike<number>, maxPoints = MAX_GAINS_POINTS): GainsCurve | null {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new RangeError(`maxPoints must be an integer ≥ 2, received ${maxPoints}`);
  const n = y.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new TickworkError('bad_data', `Row ${i} has the score ${String(scores[i])}; the gains chart needs finite scores.`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  // Boundaries of tie groups: cumulative rows and positives after each group, from (0, 0).
  const cumRows: number[] = [0];
  const cumPositives: number[] = [0];
  let positives = 0;
  for (let k = 0; k < n; k++) {
    if (y[order[k]] === 1) positives++;
    if (k + 1 === n || scores[order[k + 1]] !== scores[order[k]]) {
      cumRows.push(k + 1);
      cumPositives.push(positives);
    }
  }
  if (n === 0 || positives === 0) return null;
  const rate = positives / n;
  const firstSlope = cumPositives[1] / cumRows[1] / rate;
  const count = n + 1 <= maxPoints ? n + 1 : maxPoints;
  const points: GainsPoint[] = [];
  let g = 0;
  for (let i = 0; i < count; i++) {
    const targetedRows = count === n + 1 ? i : (i / (count - 1)) * n;
    while (g + 1 < cumRows.length - 1 && cumRows[g + 1] < targetedRows) g++;
    const [r0, r1, p0, p1] = [cumRows[g], cumRows[g + 1], cumPositives[g], cumPositives[g + 1]];
    const captured = (p0 + ((p1 - p0) * (targetedRows - r0)) / (r1 - r0)) / positives;
    const targeted = targetedRows / n;
    points.push({ targeted, captured, lift: targeted > 0 ? captured / targeted : firstSlope });
  }
  return { points, rows: n, positives };
}
