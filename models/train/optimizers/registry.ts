/**
 * Maps an optimizer config (plain JSON, from the RunConfig) to its implementation.
 */
import type { OptimizerConfig } from '../../../shared/run-config.js';
import { createAdam } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { createSgd } from './sgd.js';

export function createOptimizer(config: OptimizerConfig): Optimizer {
  switch (config.name) {
    case 'adam':
      return createAdam(config);
    case 'sgd':
      return createSgd(config);
  }
}
