/**
 * Learning-rate schedules: a pure function of the optimizer step (0-based) and the config.
 *
 * Warmup: for s < warmupSteps, lr = baseLr · (f + (1 − f) · s / warmupSteps), f = warmupStartFactor,
 * a linear ramp from baseLr·f up to baseLr. After warmup, with progress
 * p = (s − warmupSteps) / max(1, totalSteps − warmupSteps):
 *   constant  lr = baseLr
 *   linear    lr = finalLr + (baseLr − finalLr) · max(0, 1 − p)
 *   cosine    lr = finalLr + (baseLr − finalLr) · ½(1 + cos(π · min(1, p)))
 *   exponential  lr = baseLr · gamma^((s − warmupSteps) / stepSize)
 *   step         lr = baseLr · gamma^floor((s − warmupSteps) / stepSize)
 *   inverse_sqrt lr = baseLr · √max(1, warmupSteps) / √max(s, max(1, warmupSteps))
 *   one_cycle    (Smith & Topin 2019, as PyTorch's OneCycleLR with cosine annealing) over the
 *                steps after warmup: for p < pctStart the LR rises from baseLr/divFactor to
 *                baseLr, then falls to baseLr/(divFactor·finalDivFactor), each half a cosine:
 *                cos(a, b, q) = b + (a − b)·½(1 + cos(π·q))
 * Plain TypeScript, shared so the app can draw a schedule before training.
 */
import type { ScheduleConfig } from './run-config.js';

export interface ScheduleContext {
  baseLr: number;
  totalSteps: number;
}

export function learningRateAt(config: ScheduleConfig, context: ScheduleContext, step: number): number {
  const { baseLr, totalSteps } = context;
  const { warmupSteps, warmupStartFactor: f, finalLr } = config;
  if (step < warmupSteps) return baseLr * (f + ((1 - f) * step) / warmupSteps);
  const p = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  switch (config.kind) {
    case 'constant':
      return baseLr;
    case 'linear':
      return finalLr + (baseLr - finalLr) * Math.max(0, 1 - p);
    case 'cosine':
      return finalLr + (baseLr - finalLr) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p)));
    case 'exponential':
      return baseLr * Math.pow(config.gamma, (step - warmupSteps) / config.stepSize);
    case 'step':
      return baseLr * Math.pow(config.gamma, Math.floor((step - warmupSteps) / config.stepSize));
    case 'inverse_sqrt': {
      const w = Math.max(1, warmupSteps);
      return (baseLr * Math.sqrt(w)) / Math.sqrt(Math.max(step, w));
    }
    case 'one_cycle': {
      const { pctStart, divFactor, finalDivFactor } = config;
      const start = baseLr / divFactor;
      const end = start / finalDivFactor;
      const anneal = (a: number, b: number, q: number) => b + (a - b) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, q))));
      return p < pctStart ? anneal(start, baseLr, p / pctStart) : anneal(baseLr, end, (p - pctStart) / (1 - pctStart));
    }
  }
}

/** The LR for every step 0..totalSteps−1, e.g. to draw the schedule before training. */
export function scheduleCurve(config: ScheduleConfig, context: ScheduleContext): Float64Array {
  const out = new Float64Array(context.totalSteps);
  for (let s = 0; s < context.totalSteps; s++) out[s] = learningRateAt(config, context, s);
  return out;
}
