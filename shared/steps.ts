/**
 * How many optimizer steps a run makes: pure arithmetic on the config and the number of training
 * rows, shared so the app can plan (and draw the LR schedule) before training.
 */

interface StepSettings {
  batchSize: number;
  accumulationSteps: number;
  epochs: number;
}

/** Steps an automatic epoch count aims for, and its bounds. */
export const AUTO_EPOCHS = { targetSteps: 2000, min: 10, max: 200 };

/** Epochs for about AUTO_EPOCHS.targetSteps optimizer steps on `rows` training rows. */
export function autoEpochs(config: Omit<StepSettings, 'epochs'>, rows: number): number {
  const { stepsPerEpoch } = planSteps({ ...config, epochs: 1 }, rows);
  return Math.min(AUTO_EPOCHS.max, Math.max(AUTO_EPOCHS.min, Math.ceil(AUTO_EPOCHS.targetSteps / stepsPerEpoch)));
}

/** Optimizer steps per epoch and in all, for a config and a number of training rows. */
export function planSteps(config: StepSettings, rows: number) {
  const batchSize = Math.min(config.batchSize, rows);
  const batchesPerEpoch = Math.ceil(rows / batchSize);
  const stepsPerEpoch = Math.ceil(batchesPerEpoch / config.accumulationSteps);
  return { batchSize, batchesPerEpoch, stepsPerEpoch, totalSteps: stepsPerEpoch * config.epochs };
}
