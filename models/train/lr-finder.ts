/**
 * Learning-rate range test ("LR finder", Smith 2017, "Cyclical Learning Rates for Training Neural
 * Networks", §3.3): train a fresh copy of the model for a few hundred steps while the learning
 * rate grows exponentially from minLr to maxLr, and watch the loss.
 *
 *   lr(s) = minLr · (maxLr / minLr)^(s / (steps − 1))
 *   smoothed loss: EMA with β = 0.98, bias-corrected: L̄ₛ = (β·aₛ₋₁ + (1 − β)·ℓₛ) / (1 − β^(s+1))
 *   stop early once L̄ > 4 × the best L̄ (the loss has diverged)
 *
 * Suggestions: `steepest` — the LR where the smoothed loss falls fastest per unit of log(lr);
 * `minLossOver10` — a tenth of the LR at the lowest smoothed loss (fast.ai's rule of thumb).
 */
import type { StepInfo } from './callbacks.js';
import { TrainingController } from './callbacks.js';
import { planSteps } from './plan.js';
import { trainModel, type TrainInput } from './loop.js';

export interface LrFinderOptions {
  minLr?: number;
  maxLr?: number;
  steps?: number;
}

export interface LrFinderResult {
  lrs: number[];
  losses: number[];
  smoothed: number[];
  suggestions: { steepest: number | null; minLossOver10: number | null };
  /** Why the sweep ended: 'completed' or 'diverged'. */
  ended: 'completed' | 'diverged';
}

const BETA = 0.98;

export function suggestLearningRates(lrs: number[], smoothed: number[]): LrFinderResult['suggestions'] {
  if (smoothed.length < 5) return { steepest: null, minLossOver10: null };
  let minIndex = 0;
  for (let i = 1; i < smoothed.length; i++) if (smoothed[i] < smoothed[minIndex]) minIndex = i;
  // Steepest descent: most negative dL̄/dlog(lr), by central differences, before the minimum
  // (skipping the first points, where the EMA is still settling).
  const skip = Math.max(1, Math.floor(smoothed.length / 20));
  let steepest: number | null = null;
  let best = 0;
  for (let i = skip; i < Math.max(skip + 1, minIndex); i++) {
    if (i + 1 >= smoothed.length) break;
    const slope = (smoothed[i + 1] - smoothed[i - 1]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i - 1]));
    if (slope < best) {
      best = slope;
      steepest = lrs[i];
    }
  }
  return { steepest, minLossOver10: lrs[minIndex] / 10 };
}

export async function findLearningRate(input: TrainInput, options: LrFinderOptions = {}): Promise<LrFinderResult> {
  const minLr = options.minLr ?? 1e-7;
  const maxLr = options.maxLr ?? 10;
  const steps = options.steps ?? 200;
  if (!(minLr > 0) || !(maxLr > minLr)) throw new Error(`LR finder needs 0 < minLr < maxLr, received ${minLr} and ${maxLr}`);
  if (!Number.isInteger(steps) || steps < 10) throw new Error(`LR finder needs at least 10 steps, received ${steps}`);
  const { stepsPerEpoch } = planSteps(input.config, input.train.rows);
  const config = {
    ...input.config,
    epochs: Math.ceil(steps / stepsPerEpoch),
    earlyStopping: null,
    reduceOnPlateau: null,
    schedule: { ...input.config.schedule, warmupSteps: 0 },
  };
  const lrAt = (s: number) => minLr * Math.pow(maxLr / minLr, s / (steps - 1));
  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let average = 0;
  let bestSmoothed = Infinity;
  let ended: LrFinderResult['ended'] = 'completed';
  const controller = new TrainingController();
  const result = await trainModel(
    { ...input, config, validation: null, test: null },
    {
      controller,
      lrAt,
      skipEpochEvaluation: true,
      lossReadIntervalMs: 0,
      callbacks: [
        {
          onStepEnd: (info: StepInfo) => {
            const loss = info.loss!;
            lrs.push(info.lr);
            losses.push(loss);
            average = BETA * average + (1 - BETA) * loss;
            const s = average / (1 - Math.pow(BETA, losses.length));
            smoothed.push(s);
            if (Number.isFinite(s)) bestSmoothed = Math.min(bestSmoothed, s);
            if (!Number.isFinite(s) || s > 4 * bestSmoothed) {
              ended = 'diverged';
              controller.stop('the loss diverged');
            } else if (info.step >= steps) {
              controller.stop('sweep complete');
            }
          },
        },
      ],
    },
  );
  result.model.dispose();
  return { lrs, losses, smoothed, suggestions: suggestLearningRates(lrs, smoothed), ended };
}
