/**
 * SGD with heavy-ball momentum: PyTorch `SGD(momentum=μ, dampening=τ)` (see sgd.ts).
 *   b ← g (t = 1),  b ← μ·b + (1 − τ)·g (afterwards);   θ ← θ − lr·b
 */
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { Sgd } from './sgd.js';

export const createMomentum = (config: OptimizerConfigOf<'momentum'>) => new Sgd<'momentum'>(config);
