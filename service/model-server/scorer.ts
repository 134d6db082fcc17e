/**
 * Scores one model's requests inside a worker, with the same steps as `tickwork predict`:
 * encodeFeatures (the training preprocessing), the forward pass (shared with concurrent
 * requests by the micro-batcher), then the decision rule of models/train/prediction.ts; plus the
 * drift warnings, per request and per row, and the counts the supervisor's drift window needs.
 * Each request is encoded on its own, so what others send never changes its answer.
 */
import type { Table } from '../../models/data/table.js';
import { rowWarnings, scoringWarnings } from '../../models/prep/drift.js';
import { encodeFeatures, type PreprocessingSpec } from '../../models/prep/preprocessing.js';
import { decisionThreshold, predictionOf, type RowPrediction } from '../../models/train/prediction.js';
import { TickworkError } from '../../shared/errors.js';
import { MicroBatcher, type Forward, type PassInfo } from './batcher.js';
import { driftCounts } from './drift-counts.js';
import { HttpError } from './http-error.js';
import type { BatchOptions, DriftCounts } from './protocol.js';

export interface ScoredRow extends RowPrediction {
  warnings: string[];
}

export interface ScoreResult {
  predictions: ScoredRow[];
  /** About the whole request: ignored columns, counts of unseen categories, far values, missing cells. */
  warnings: string[];
  rowsWithWarnings: number;
  drift: DriftCounts;
}

export class ModelScorer {
  readonly name: string;
  readonly spec: PreprocessingSpec;
  readonly #threshold: number;
  readonly #batcher: MicroBatcher;

  constructor(name: string, spec: PreprocessingSpec, forward: Forward, batch: BatchOptions, onPass?: (info: PassInfo) => void) {
    this.name = name;
    this.spec = spec;
    this.#threshold = decisionThreshold(spec);
    this.#batcher = new MicroBatcher(forward, spec.encoded.length, batch, onPass);
  }

  async score(table: Table, rowLabel: (row: number) => string): Promise<ScoreResult> {
    let matrix;
    try {
      matrix = encodeFeatures(this.spec, table);
    } catch (err) {
      // e.g. a word in a numeric column, a malformed date: the client's data, said plainly.
      if (err instanceof TickworkError && err.code === 'bad_data') throw new HttpError(400, 'bad_value', err.message.replace(/\bline (\d+)/, (_, n) => rowLabel(Number(n) - 2)));
      throw err;
    }
    const warnings = scoringWarnings(this.spec, table, { rowLabel });
    const perRow = rowWarnings(this.spec, table);
    const drift = driftCounts(this.spec, table);
    const { output, units } = await this.#batcher.run(matrix.x, matrix.rows);
    const predictions: ScoredRow[] = [];
    let rowsWithWarnings = 0;
    for (let r = 0; r < matrix.rows; r++) {
      if (perRow[r].length > 0) rowsWithWarnings++;
      predictions.push({ ...predictionOf(this.spec, output, r, units, this.#threshold), warnings: perRow[r] });
    }
    return { predictions, warnings, rowsWithWarnings, drift };
  }
}
