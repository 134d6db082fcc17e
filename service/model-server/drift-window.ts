/**
 * Drift of one model's inputs over a sliding window of its most recent rows: per input, the
 * population stability index against the training bins (models/prep/psi.ts), the share of
 * missing cells, and (categorical) the share of categories the model does not know.
 *
 * The window keeps whole chunks of rows — a request of 50 rows or more, or smaller requests a
 * worker added up to about 50 rows — the newest whose rows add up to at least `maxRows` (a
 * single larger chunk is the whole window). PSI is reported once the window holds
 * `minRows` non-missing values of an input; fewer give a noisy PSI (its expected value on
 * undrifted data is about (bins − 1) / n, ≈ 0.045 for 10 bins and 200 rows).
 */
import type { PreprocessingSpec } from '../../models/prep/preprocessing.js';
import { populationStability } from '../../models/prep/psi.js';
import { expectedShares } from './drift-counts.js';
import type { DriftCounts } from './protocol.js';

export const DEFAULT_DRIFT_WINDOW = 1000;
export const MIN_PSI_ROWS = 200;

export interface InputDrift {
  input: string;
  kind: string;
  /** Null until enough rows, or when the export has no training bins for this input. */
  psi: number | null;
  missingShare: number | null;
  /** Categorical inputs only. */
  unseenShare: number | null;
}

interface Chunk {
  counts: DriftCounts;
  rowsWithWarnings: number;
}

export class DriftWindow {
  readonly #spec: PreprocessingSpec;
  readonly #expected: (number[] | null)[];
  readonly #maxRows: number;
  readonly #minRows: number;
  #chunks: Chunk[] = [];
  #rows = 0;
  #rowsWithWarnings = 0;
  readonly #missing: Float64Array;
  readonly #unseen: Float64Array;
  readonly #bins: (Float64Array | null)[];

  constructor(spec: PreprocessingSpec, maxRows = DEFAULT_DRIFT_WINDOW, minRows = Math.min(MIN_PSI_ROWS, maxRows)) {
    this.#spec = spec;
    this.#maxRows = maxRows;
    this.#minRows = minRows;
    this.#expected = spec.features.map(expectedShares);
    this.#missing = new Float64Array(spec.features.length);
    this.#unseen = new Float64Array(spec.features.length);
    this.#bins = this.#expected.map((e) => (e ? new Float64Array(e.length) : null));
  }

  get rows(): number {
    return this.#rows;
  }

  add(counts: DriftCounts, rowsWithWarnings: number): void {
    if (counts.rows === 0) return;
    if (counts.inputs.length !== this.#spec.features.length) return; // not this model's counts
    this.#apply({ counts, rowsWithWarnings }, 1);
    this.#chunks.push({ counts, rowsWithWarnings });
    while (this.#chunks.length > 1 && this.#rows - this.#chunks[0].counts.rows >= this.#maxRows) this.#apply(this.#chunks.shift()!, -1);
  }

  #apply(chunk: Chunk, sign: 1 | -1): void {
    this.#rows += sign * chunk.counts.rows;
    this.#rowsWithWarnings += sign * chunk.rowsWithWarnings;
    chunk.counts.inputs.forEach((input, i) => {
      this.#missing[i] += sign * input.missing;
      this.#unseen[i] += sign * (input.unseen ?? 0);
      const bins = this.#bins[i];
      if (bins && input.bins && input.bins.length === bins.length) for (let b = 0; b < bins.length; b++) bins[b] += sign * input.bins[b];
    });
  }

  /** Share of the window's rows that had at least one per-row warning; null while empty. */
  warningShare(): number | null {
    return this.#rows > 0 ? this.#rowsWithWarnings / this.#rows : null;
  }

  inputs(): InputDrift[] {
    return this.#spec.features.map((f, i) => {
      const present = this.#rows - this.#missing[i];
      const expected = this.#expected[i];
      const bins = this.#bins[i];
      const psi = expected && bins && present >= this.#minRows ? populationStability(expected, bins) : null;
      return {
        input: f.name,
        kind: f.kind,
        psi,
        missingShare: this.#rows > 0 ? this.#missing[i] / this.#rows : null,
        unseenShare: f.kind === 'categorical' && present > 0 ? this.#unseen[i] / present : null,
      };
    });
  }
}
