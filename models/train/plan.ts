/**
 * The shape of a run before any tensor exists: which settings the loop reads, and how many
 * optimizer steps a config makes on a number of rows. No tfjs here, so the service can plan
 * and validate runs without loading TensorFlow.js.
 */
import { DEFAULT_BATCH_SIZE, runConfigInputSchema, type RunConfig, type RunConfigInput } from '../../shared/run-config.js';

export { AUTO_EPOCHS, autoEpochs, planSteps } from '../../shared/steps.js';

/** Training metrics (and, without a validation split, the Results view) use at most this many training rows. */
export const MAX_TRAIN_EVAL_ROWS = 10_000;

export type LoopConfig = Pick<
  RunConfig,
  'model' | 'optimizer' | 'schedule' | 'batchSize' | 'epochs' | 'seed' | 'clipNorm' | 'clipValue' | 'accumulationSteps' | 'earlyStopping' | 'reduceOnPlateau'
>;

/** A complete loop config from partial settings (schema defaults; batch size 32 unless given). */
export function loopConfig(settings: Omit<Partial<RunConfigInput>, 'target'> = {}): LoopConfig {
  const parsed = runConfigInputSchema.parse({ target: '_', ...settings });
  return { ...parsed, batchSize: parsed.batchSize ?? DEFAULT_BATCH_SIZE, epochs: parsed.epochs ?? 20, earlyStopping: parsed.earlyStopping ?? null };
}
