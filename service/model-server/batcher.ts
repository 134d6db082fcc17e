/**
 * Micro-batching: requests that arrive together share one forward pass.
 *
 * A request hands over its encoded rows and waits. The first one in an empty queue schedules a
 * flush — after `maxWaitMs`, or with 0 at the end of the current event-loop turn (setImmediate),
 * so every request whose body finished arriving in the same turn joins. A flush concatenates
 * queued requests (up to `maxRows` rows per pass; a larger request goes alone), runs the forward
 * pass once and hands each request its own slice of the output. The forward pass is synchronous
 * (tfjs reads the result back with dataSync), so requests arriving during it queue up for the next.
 */
import type { BatchOptions } from './protocol.js';

/** One forward pass: row-major n×cols inputs → row-major n×units outputs. */
export type Forward = (x: Float32Array, rows: number, cols: number) => Float32Array;

export interface PassInfo {
  rows: number;
  requests: number;
  seconds: number;
}

interface Pending {
  x: Float32Array;
  rows: number;
  resolve(output: { output: Float32Array; units: number }): void;
  reject(err: unknown): void;
}

export class MicroBatcher {
  readonly #forward: Forward;
  readonly #cols: number;
  readonly #options: BatchOptions;
  readonly #onPass: (info: PassInfo) => void;
  #queue: Pending[] = [];
  #scheduled = false;

  constructor(forward: Forward, cols: number, options: BatchOptions, onPass: (info: PassInfo) => void = () => undefined) {
    this.#forward = forward;
    this.#cols = cols;
    this.#options = options;
    this.#onPass = onPass;
  }

  /** Outputs for these encoded rows (row-major, `cols` per row), from a shared forward pass. */
  run(x: Float32Array, rows: number): Promise<{ output: Float32Array; units: number }> {
    if (rows === 0) return Promise.resolve({ output: new Float32Array(0), units: 0 });
    return new Promise((resolve, reject) => {
      this.#queue.push({ x, rows, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    const flush = () => {
      this.#scheduled = false;
      this.#flushOnce();
      this.#schedule(); // what did not fit in this pass goes in the next
    };
    if (this.#options.maxWaitMs > 0) setTimeout(flush, this.#options.maxWaitMs);
    else setImmediate(flush);
  }

  /** One forward pass over the head of the queue. */
  #flushOnce(): void {
    const batch: Pending[] = [];
    let rows = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0];
      if (batch.length > 0 && rows + next.rows > this.#options.maxRows) break;
      batch.push(this.#queue.shift()!);
      rows += next.rows;
    }
    if (batch.length === 0) return;
    const cols = this.#cols;
    let x: Float32Array;
    if (batch.length === 1) x = batch[0].x;
    else {
      x = new Float32Array(rows * cols);
      let at = 0;
      for (const p of batch) {
        x.set(p.x, at);
        at += p.rows * cols;
      }
    }
    const started = process.hrtime.bigint();
    let output: Float32Array;
    try {
      output = this.#forward(x, rows, cols);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    this.#onPass({ rows, requests: batch.length, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    const units = output.length / rows;
    let at = 0;
    for (const p of batch) {
      p.resolve({ output: output.subarray(at * units, (at + p.rows) * units), units });
      at += p.rows;
    }
  }
}
