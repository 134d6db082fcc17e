/**
 * SGD with Nesterov momentum: PyTorch `SGD(momentum=μ, nesterov=True)` (see sgd.ts).
 *   b ← g (t = 1),  b ← μ·b + g (afterwards);   θ ← θ − lr·(g + μ·b)
 */
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { Sgd } from './sgd.js';

export const createNesterov = (config: OptimizerConfigOf<'nesterov'>) => new Sgd<'nesterov'>(config);
