/**
 * Everything the results views draw for a binary model on one part, in one plain object (about
 * 2,400 numbers, whatever the number of rows): the report at the run's threshold, the threshold
 * table (exact at every 0.001), the reliability diagram with the Brier score, and the cumulative
 * gains / lift curve. Scores are P(positive class) = P(class 1).
 */
import { binaryMetrics, type BinaryReport } from './binary-metrics.js';
import { reliabilityDiagram, type ReliabilityDiagram } from './calibration.js';
import { cumulativeGains, type GainsCurve } from './gains.js';
import { buildThresholdTable, type ThresholdTable } from './threshold-table.js';

export interface BinaryEvaluation {
  report: BinaryReport;
  thresholds: ThresholdTable;
  calibration: ReliabilityDiagram;
  /** Null when the part has no positives. */
  gains: GainsCurve | null;
}

export function evaluateBinary(scores: ArrayLike<number>, y: ArrayLike<number>, options: { threshold?: number; bins?: number; calibrationBins?: number } = {}): BinaryEvaluation {
  return {
    report: binaryMetrics(scores, y, { threshold: options.threshold }),
    thresholds: buildThresholdTable(scores, y, options.bins),
    calibration: reliabilityDiagram(scores, y, options.calibrationBins),
    gains: cumulativeGains(scores, y),
  };
}
