/**
 * A run's step series as it is recorded: every progress point (loss, LR, gradient norm) until
 * there are MAX_STEP_POINTS, then thinned 2:1 (every other point kept, oldest first) each time
 * the cap is reached — a short run is kept whole, a long one stays a few thousand points.
 */
import type { StepPoint } from './workspace/run-store.js';

export const MAX_STEP_POINTS = 4000;

export class StepSeries {
  points: StepPoint[] = [];
  #flushed = 0;
  /** True once the series was thinned since the last take: what is stored must be rewritten. */
  thinned = false;

  push(point: StepPoint): void {
    this.points.push(point);
    if (this.points.length > MAX_STEP_POINTS) {
      this.points = this.points.filter((_, i) => i % 2 === 0);
      this.thinned = true;
    }
  }

  /** The points added since the last take, or null when the series was thinned since (store it whole instead). */
  takeFresh(): StepPoint[] | null {
    if (this.thinned) {
      this.thinned = false;
      this.#flushed = this.points.length;
      return null;
    }
    const fresh = this.points.slice(this.#flushed);
    this.#flushed = this.points.length;
    return fresh;
  }
}
