/**
 * A model's most recent predict requests (the last `size`), for the error-rate and latency
 * alerts: the share answered with an error (any 4xx or 5xx) and the 95th-percentile latency.
 * Both are null until `minRequests` have been seen, so one early failure is not a 100% rate.
 */
export const DEFAULT_REQUEST_WINDOW = 200;
export const MIN_REQUESTS = 20;

export class RequestWindow {
  readonly #failed: Uint8Array;
  readonly #ms: Float64Array;
  readonly #minRequests: number;
  #next = 0;
  #count = 0;

  constructor(size = DEFAULT_REQUEST_WINDOW, minRequests = Math.min(MIN_REQUESTS, size)) {
    this.#failed = new Uint8Array(size);
    this.#ms = new Float64Array(size);
    this.#minRequests = minRequests;
  }

  add(failed: boolean, ms: number): void {
    this.#failed[this.#next] = failed ? 1 : 0;
    this.#ms[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#failed.length;
    this.#count = Math.min(this.#count + 1, this.#failed.length);
  }

  get count(): number {
    return this.#count;
  }

  errorRate(): number | null {
    if (this.#count < this.#minRequests) return null;
    let failed = 0;
    for (let i = 0; i < this.#count; i++) failed += this.#failed[i];
    return failed / this.#count;
  }

  /** 95th percentile of the latencies in ms (nearest rank). */
  p95Ms(): number | null {
    if (this.#count < this.#minRequests) return null;
    const sorted = this.#ms.slice(0, this.#count).sort();
    return sorted[Math.min(this.#count - 1, Math.ceil(0.95 * this.#count) - 1)];
  }
}
