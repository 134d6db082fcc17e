/**
 * Is the trained network any use? After training, compare it with the constant predictor and look
 * at what it predicts. Each finding is a warning `{ code: 'degenerate', check, message }` whose
 * message says in plain words what happened and what to try. The checks:
 *   no-better-than-constant — validation loss ≥ (1 − 0.001) × the constant predictor's (not even
 *                             0.1% better than always answering the class shares / the mean), or not
 *                             a number;
 *   one-class               — classification: one class predicted for ≥ 99% of the rows while at
 *                             least two true classes each make up ≥ 1% of them;
 *   constant-output         — regression: the predictions' spread is below 10⁻⁶ of the target's;
 *   gradient-collapsed      — the last gradient norm read is ≤ 10⁻⁶ × max(1, the first one), while
 *                             the training loss is not near 0 (≥ 10⁻³): the network stopped
 *                             learning (dead units, saturated outputs) rather than converging.
 */
import type { Metrics } from '../../shared/contract.js';
import type { Task } from '../../shared/run-config.js';
import { predictedClasses } from './classification-report.js';

export interface DegenerateWarning {
  code: 'degenerate';
  /** Which check found it ('diverging' comes from the training loop's DivergenceGuard). */
  check: 'no-better-than-constant' | 'one-class' | 'constant-output' | 'gradient-collapsed' | 'diverging';
  message: string;
}

export interface DegenerateInput {
  task: Task;
  /** The network's metrics on the validation part (the training part when there is none). */
  network: Metrics;
  /** The constant predictor's metrics on the same rows. */
  constant: Metrics;
  /** The network's outputs on those rows (n×1 or n×k, regression in target units) and their true values. */
  output?: Float32Array | null;
  y?: Float32Array | null;
  classes: number;
  /** Binary decision threshold (default 0.5). */
  threshold?: number;
  /** Class names (index = class id), for the messages. */
  labels?: string[] | null;
  /** The last and first gradient norms read during training (null when none was read). */
  lastGradNorm?: number | null;
  firstGradNorm?: number | null;
  /** The training loss at the end (defaults to the network's `loss` above). */
  trainLoss?: number | null;
  /** The run's learning rate, to make the suggestion concrete. */
  learningRate?: number | null;
}

export const NO_BETTER_MARGIN = 0.001;
export const ONE_CLASS_SHARE = 0.99;
export const GRADIENT_COLLAPSE_RATIO = 1e-6;

const percent = (share: number) => `${(100 * share).toFixed(share >= 0.995 && share < 1 ? 1 : 0)}%`;
const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

function lowerLr(lr: number | null | undefined): string {
  return lr && lr > 0 ? `a learning rate about 10× lower (${(lr / 10).toPrecision(2)} instead of ${lr.toPrecision(2)})` : 'a learning rate about 10× lower';
}

export function checkDegenerate(input: DegenerateInput): DegenerateWarning[] {
  const warnings: DegenerateWarning[] = [];
  const lr = lowerLr(input.learningRate);
  const name = (c: number) => (input.labels?.[c] !== undefined ? `"${input.labels[c]}"` : `class ${c}`);

  const loss = input.network.loss;
  const baseline = input.constant.loss;
  if (typeof baseline === 'number' && Number.isFinite(baseline) && (typeof loss !== 'number' || !(loss < baseline * (1 - NO_BETTER_MARGIN)))) {
    const what = input.task === 'regression' ? 'always predicting the training mean' : 'always predicting the training class shares';
    warnings.push({
      code: 'degenerate',
      check: 'no-better-than-constant',
      message:
        `The network's validation loss (${fmt(loss)}) is ${typeof loss === 'number' && loss > baseline ? 'worse than' : 'no better than'} ${what} (${fmt(baseline)}): it has not learned anything from the inputs. ` +
        `Try ${lr}, add warmup steps, or train for more epochs; if the linear baseline does better, the inputs do carry signal.`,
    });
  }

  const { output, y } = input;
  if (output && y && y.length > 0) {
    const n = y.length;
    if (input.task === 'regression') {
      const spread = (values: ArrayLike<number>) => {
        let mean = 0;
        for (let i = 0; i < n; i++) mean += values[i];
        mean /= n;
        let ss = 0;
        for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
        return Math.sqrt(ss / n);
      };
      const targetSpread = spread(y);
      if (targetSpread > 0 && spread(output) <= 1e-6 * targetSpread) {
        warnings.push({
          code: 'degenerate',
          check: 'constant-output',
          message: `The network predicts the same value (${fmt(output[0])}) for every validation row. Try ${lr} and add warmup steps; check that the inputs are not all constant.`,
        });
      }
    } else {
      const k = input.task === 'binary' ? 2 : input.classes;
      const predicted = predictedClasses(input.task, output, n, k, input.threshold ?? 0.5);
      const predictedCount = new Array<number>(k).fill(0);
      const trueCount = new Array<number>(k).fill(0);
      for (let i = 0; i < n; i++) {
        predictedCount[predicted[i]]++;
        trueCount[y[i]]++;
      }
      const top = predictedCount.indexOf(Math.max(...predictedCount));
      const several = trueCount.filter((c) => c >= 0.01 * n).length >= 2;
      if (several && predictedCount[top] >= ONE_CLASS_SHARE * n) {
        const others = 1 - trueCount[top] / n;
        const otherName = input.task === 'binary' ? name(1 - top) : 'another class';
        const binaryHint = input.task === 'binary' ? ', or move the decision threshold' : '';
        warnings.push({
          code: 'degenerate',
          check: 'one-class',
          message:
            `The network predicts ${name(top)} for ${percent(predictedCount[top] / n)} of the validation rows, although ${percent(others)} of them are ${otherName}. ` +
            `Try ${lr} and add warmup steps; if one class is rare, set class weights${binaryHint}.`,
        });
      }
    }
  }

  const last = input.lastGradNorm;
  const trainLoss = input.trainLoss ?? loss;
  if (typeof last === 'number' && Number.isFinite(last) && (typeof trainLoss !== 'number' || !(trainLoss < 1e-3))) {
    const first = input.firstGradNorm;
    const scale = Math.max(1, typeof first === 'number' && Number.isFinite(first) ? first : 1);
    if (last <= GRADIENT_COLLAPSE_RATIO * scale) {
      const was = typeof first === 'number' && Number.isFinite(first) ? ` (it was ${fmt(first)} at the start)` : '';
      warnings.push({
        code: 'degenerate',
        check: 'gradient-collapsed',
        message:
          `The gradient norm fell to ${last === 0 ? '0' : last.toExponential(1)}${was} while the loss is still ${fmt(trainLoss as number)}: the network stopped learning, ` +
          `usually because a too-large step killed its units or saturated its output. Try ${lr} with warmup steps, or gradient clipping.`,
      });
    }
  }
  return warnings;
}
