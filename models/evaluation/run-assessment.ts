/**
 * After a run: how the network compares with trivial models, and whether it learned anything.
 * The constant predictor and a linear model are fitted on the same encoded training rows and
 * scored on the same validation and test rows as the network; the degenerate check reads the
 * network's validation outputs, its gradient norms and the constant predictor's loss; a
 * diverging run (the divergence guard stopped it) carries that warning too.
 */
import type { Metrics, SplitMetrics } from '../../shared/contract.js';
import type { Task } from '../../shared/run-config.js';
import type { DataPart } from '../train/loop.js';
import { computeBaselines, type BaselineScores } from './baselines.js';
import { checkDegenerate, type DegenerateWarning } from './degenerate-check.js';

export interface RunAssessment {
  baselines: { constant: BaselineScores; linear: BaselineScores } | null;
  warnings: Array<{ code: 'degenerate'; check: string; message: string }>;
}

export interface AssessmentInput {
  task: Task;
  classes: number;
  targetStats: { mean: number; std: number } | null;
  train: DataPart;
  validation: DataPart | null;
  test: DataPart | null;
  /** The network's final metrics (after early stopping restored its best epoch). */
  metrics: SplitMetrics;
  /** The network's outputs on the validation part (the training part when there is none), in target units. */
  outputs: (part: DataPart) => Float32Array;
  threshold: number;
  labels?: string[] | null;
  learningRate: number;
  seed: number;
  /** From the divergence guard. */
  diverged: DegenerateWarning | null;
  firstGradNorm: number | null;
  lastGradNorm: number | null;
}

export function assessRun(input: AssessmentInput): RunAssessment {
  const metricOptions = input.task === 'binary' ? { threshold: input.threshold } : {};
  let baselines: RunAssessment['baselines'] = null;
  try {
    const report = computeBaselines({
      task: input.task,
      classes: input.classes,
      targetStats: input.targetStats,
      train: input.train,
      validation: input.validation,
      test: input.test,
      metricOptions,
      seed: input.seed,
    });
    baselines = { constant: report.constant, linear: report.linear };
  } catch {
    baselines = null; // a baseline that cannot be fitted (a degenerate design matrix) is not worth failing the run
  }
  const part = input.validation ?? input.train;
  const network: Metrics | null = input.validation ? input.metrics.validation : input.metrics.train;
  const constant = input.validation ? baselines?.constant.validation : null;
  const warnings: DegenerateWarning[] = input.diverged ? [input.diverged] : [];
  if (network && constant) {
    warnings.push(
      ...checkDegenerate({
        task: input.task,
        network,
        constant,
        output: input.outputs(part),
        y: part.y,
        classes: input.classes,
        threshold: input.threshold,
        labels: input.labels ?? null,
        lastGradNorm: input.lastGradNorm,
        firstGradNorm: input.firstGradNorm,
        trainLoss: input.metrics.train.loss ?? null,
        learningRate: input.learningRate,
      }),
    );
  }
  return { baselines, warnings: warnings.map((w) => ({ code: w.code, check: w.check, message: w.message })) };
}
