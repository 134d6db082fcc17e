/**
 * Maps an optimizer config (plain JSON, from the RunConfig) to its implementation.
 */
import { optimizerConfigSchema, type OptimizerConfig, type OptimizerConfigOf, type OptimizerName } from '../../../shared/optimizers.js';
import { TickworkError } from '../../../shared/errors.js';
import { createAdadelta } from './adadelta.js';
import { createAdafactor } from './adafactor.js';
import { createAdagrad } from './adagrad.js';
import { createAdam } from './adam.js';
import { createAdamax } from './adamax.js';
import { createAdamW } from './adamw.js';
import { createLion } from './lion.js';
import { createMomentum } from './momentum.js';
import { createNadam } from './nadam.js';
import { createNesterov } from './nesterov.js';
import type { Optimizer } from './optimizer.js';
import { createRmsProp } from './rmsprop.js';
import { createSgd } from './sgd.js';

const REGISTRY: { [N in OptimizerName]: (config: OptimizerConfigOf<N>) => Optimizer } = {
  sgd: createSgd,
  momentum: createMomentum,
  nesterov: createNesterov,
  adam: createAdam,
  adamw: createAdamW,
  nadam: createNadam,
  rmsprop: createRmsProp,
  adagrad: createAdagrad,
  adadelta: createAdadelta,
  adamax: createAdamax,
  adafactor: createAdafactor,
  lion: createLion,
};

export function createOptimizer(config: OptimizerConfig): Optimizer {
  const create = REGISTRY[config.name] as (c: OptimizerConfig) => Optimizer;
  return create(config);
}

/** Parse a JSON optimizer config (defaults filled in) and create it; errors name the argument. */
export function optimizerFromJson(json: unknown): Optimizer {
  const parsed = optimizerConfigSchema.safeParse(json);
  if (!parsed.success) {
    const name = (json as { name?: unknown })?.name;
    throw new TickworkError(
      'invalid_input',
      `optimizer ${typeof name === 'string' ? `"${name}"` : ''}: ${parsed.error.issues
        .map((i) => (i.code === 'invalid_union' || i.path[0] === 'name' ? `unknown optimizer; use one of ${Object.keys(REGISTRY).join(', ')}` : i.message))
        .join('; ')}`,
    );
  }
  return createOptimizer(parsed.data);
}
