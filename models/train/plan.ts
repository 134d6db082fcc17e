/**
 * The shape of a run before any tensor exists: which settings the loop reads, and how many
 * optimizer steps a config makes on a number of rows. No tfjs here, so the service can plan
 * and validate runs without loading TensorFlow.js.
 */
import { runConfigInputSchema, type RunConfig, type RunConfigInput } from '../../shared/run-config.js';

export type LoopConfig = Pick<
  RunConfig,
  'model' | 'optimizer' | 'schedule' | 'batchSize' | 'epochs' | 'seed' | 'clipNorm' | 'clipValue' | 'accumulationSteps' | 'earlyStopping' | 'reduceOnPlateau'
>;

/** A complete loop config from partial settings (schema defaults; batch size 32 unless given). */
export function loopConfig(settings: Omit<Partial<RunConfigInput>, 'target'> = {}): LoopConfig {
  const parsed = runConfigInputSchema.parse({ target: '_', ...settings });
  return { ...parsed, batchSize: parsed.batchSize ?? 32, epochs: parsed.epochs ?? 20, earlyStopping: parsed.earlyStopping ?? null };
}

/** Steps an automatic epoch count aims for, and its bounds. */
export const AUTO_EPOCHS = { targetSteps: 2000, min: 10, max: 200 };

/** Epochs for about AUTO_EPOCHS.targetSteps optimizer steps on `rows` training rows. */
export function autoEpochs(config: Pick<LoopConfig, 'batchSize' | 'accumulationSteps'>, rows: number): number {
  const { stepsPerEpoch } = planSteps({ ...config, epochs: 1 }, rows);
  return Math.min(AUTO_EPOCHS.max, Math.max(AUTO_EPOCHS.min, Math.ceil(AUTO_EPOCHS.targetSteps / stepsPerEpoch)));
}

/** Optimizer steps per epoch and in all, for a config and a number of training rows. */
export function planSteps(config: Pick<LoopConfig, 'batchSize' | 'accumulationSteps' | 'epochs'>, rows: number) {
  const batchSize = Math.min(config.batchSize, rows);
  const batchesPerEpoch = Math.ceil(rows / batchSize);
  const stepsPerEpoch = Math.ceil(batchesPerEpoch / config.accumulationSteps);
  return { batchSize, batchesPerEpoch, stepsPerEpoch, totalSteps: stepsPerEpoch * config.epochs };
}
