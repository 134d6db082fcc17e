/**
 * Optimizer configs: one schema per optimizer, with PyTorch's defaults and a one-line
 * explanation of each hyperparameter (shown by the app). Plain zod so the renderer, the CLI and
 * the RunConfig share them; the update rules live in models/train/optimizers/<name>.ts.
 *
 * Hyperparameter names are the project's (and the reference fixture's): lr, momentum, beta1,
 * beta2, epsilon, weightDecay, rho, centered, initialAccumulatorValue, …
 * Validation names the argument and the value received: "lr must be > 0, received -0.1".
 * Unknown hyperparameters are rejected, never ignored.
 */
import { z } from 'zod';

type Bound = { gt?: number; gte?: number; lt?: number; lte?: number; int?: boolean };

/** A number hyperparameter whose errors read "`name` must be > 0, received -0.1". */
export function hyper(name: string, bound: Bound) {
  const received = (input: unknown) => `received ${typeof input === 'number' ? input : JSON.stringify(input)}`;
  let schema = z.number({ error: (iss) => `${name} must be a number, ${received(iss.input)}` });
  if (bound.int) schema = schema.int({ error: (iss) => `${name} must be a whole number, ${received(iss.input)}` });
  if (bound.gt !== undefined) schema = schema.gt(bound.gt, { error: (iss) => `${name} must be > ${bound.gt}, ${received(iss.input)}` });
  if (bound.gte !== undefined) schema = schema.gte(bound.gte, { error: (iss) => `${name} must be >= ${bound.gte}, ${received(iss.input)}` });
  if (bound.lt !== undefined) schema = schema.lt(bound.lt, { error: (iss) => `${name} must be < ${bound.lt}, ${received(iss.input)}` });
  if (bound.lte !== undefined) schema = schema.lte(bound.lte, { error: (iss) => `${name} must be <= ${bound.lte}, ${received(iss.input)}` });
  return schema;
}

const lr = (value: number) => hyper('lr', { gt: 0 }).default(value);
const beta = (name: string, value: number) => hyper(name, { gte: 0, lt: 1 }).default(value);
const eps = (value: number) => hyper('epsilon', { gt: 0 }).default(value);
const decay = (value = 0) => hyper('weightDecay', { gte: 0 }).default(value);

/** PyTorch's SGD in full; `momentum` and `nesterov` below are its two common settings by name. */
export const sgdSchema = z.strictObject({
  name: z.literal('sgd'),
  lr: lr(0.01),
  weightDecay: decay(),
  momentum: hyper('momentum', { gte: 0, lt: 1 }).default(0),
  dampening: hyper('dampening', { gte: 0, lt: 1 }).default(0),
  nesterov: z.boolean().default(false),
});
export const momentumSchema = z.strictObject({
  name: z.literal('momentum'),
  lr: lr(0.01),
  momentum: hyper('momentum', { gte: 0, lt: 1 }).default(0.9),
  dampening: hyper('dampening', { gte: 0, lt: 1 }).default(0),
  weightDecay: decay(),
});
export const nesterovSchema = z.strictObject({
  name: z.literal('nesterov'),
  lr: lr(0.01),
  momentum: hyper('momentum', { gt: 0, lt: 1 }).default(0.9),
  weightDecay: decay(),
});
const adamFields = {
  lr: lr(0.001),
  beta1: beta('beta1', 0.9),
  beta2: beta('beta2', 0.999),
  epsilon: eps(1e-8),
  amsgrad: z.boolean().default(false),
};
export const adamSchema = z.strictObject({ name: z.literal('adam'), ...adamFields, weightDecay: decay() });
export const adamwSchema = z.strictObject({ name: z.literal('adamw'), ...adamFields, weightDecay: decay(0.01) });
export const nadamSchema = z.strictObject({
  name: z.literal('nadam'),
  lr: lr(0.002),
  beta1: beta('beta1', 0.9),
  beta2: beta('beta2', 0.999),
  epsilon: eps(1e-8),
  weightDecay: decay(),
  momentumDecay: hyper('momentumDecay', { gte: 0 }).default(0.004),
});
export const rmspropSchema = z.strictObject({
  name: z.literal('rmsprop'),
  lr: lr(0.01),
  rho: hyper('rho', { gte: 0, lt: 1 }).default(0.99),
  epsilon: eps(1e-8),
  momentum: hyper('momentum', { gte: 0, lt: 1 }).default(0),
  centered: z.boolean().default(false),
  weightDecay: decay(),
});
export const adagradSchema = z.strictObject({
  name: z.literal('adagrad'),
  lr: lr(0.01),
  lrDecay: hyper('lrDecay', { gte: 0 }).default(0),
  initialAccumulatorValue: hyper('initialAccumulatorValue', { gte: 0 }).default(0),
  epsilon: eps(1e-10),
  weightDecay: decay(),
});
export const adadeltaSchema = z.strictObject({
  name: z.literal('adadelta'),
  lr: lr(1.0),
  rho: hyper('rho', { gte: 0, lte: 1 }).default(0.9),
  epsilon: eps(1e-6),
  weightDecay: decay(),
});
export const adamaxSchema = z.strictObject({
  name: z.literal('adamax'),
  lr: lr(0.002),
  beta1: beta('beta1', 0.9),
  beta2: beta('beta2', 0.999),
  epsilon: eps(1e-8),
  weightDecay: decay(),
});
export const adafactorSchema = z.strictObject({
  name: z.literal('adafactor'),
  /** Used only when relativeStep is false; otherwise the step size is min(1e-2, 1/√t) (× RMS(θ)). */
  lr: lr(0.001),
  relativeStep: z.boolean().default(true),
  scaleParameter: z.boolean().default(true),
  epsilon1: hyper('epsilon1', { gt: 0 }).default(1e-30),
  epsilon2: hyper('epsilon2', { gt: 0 }).default(1e-3),
  clipThreshold: hyper('clipThreshold', { gt: 0 }).default(1.0),
  decayRate: hyper('decayRate', { lt: 0, gte: -1 }).default(-0.8),
  beta1: hyper('beta1', { gte: 0, lt: 1 }).default(0),
  weightDecay: decay(),
});
export const lionSchema = z.strictObject({
  name: z.literal('lion'),
  lr: lr(1e-4),
  beta1: beta('beta1', 0.9),
  beta2: beta('beta2', 0.99),
  weightDecay: decay(),
});

export const optimizerConfigSchema = z.discriminatedUnion('name', [
  sgdSchema,
  momentumSchema,
  nesterovSchema,
  adamSchema,
  adamwSchema,
  nadamSchema,
  rmspropSchema,
  adagradSchema,
  adadeltaSchema,
  adamaxSchema,
  adafactorSchema,
  lionSchema,
]);
export type OptimizerConfig = z.infer<typeof optimizerConfigSchema>;
export type OptimizerName = OptimizerConfig['name'];
export type OptimizerConfigOf<N extends OptimizerName> = Extract<OptimizerConfig, { name: N }>;

export const OPTIMIZER_NAMES: readonly OptimizerName[] = optimizerConfigSchema.options.map((o) => o.shape.name.value);

/** One-line explanations, for the app's optimizer picker. */
export const OPTIMIZER_HELP: Record<OptimizerName, string> = {
  sgd: 'Plain gradient descent: θ ← θ − lr·g.',
  momentum: 'SGD with heavy-ball momentum: a running sum of gradients smooths the path.',
  nesterov: 'Momentum that looks ahead: the gradient is corrected by the momentum step.',
  adam: 'Adaptive per-weight steps from running means of g and g²; a robust default.',
  adamw: 'Adam with weight decay applied directly to the weights (decoupled).',
  nadam: 'Adam with Nesterov momentum.',
  rmsprop: 'Divides the step by a running RMS of recent gradients.',
  adagrad: 'Per-weight steps that shrink with the sum of all past squared gradients.',
  adadelta: 'Adagrad variant whose steps adapt without a hand-tuned learning rate.',
  adamax: 'Adam with the infinity norm in place of the second moment.',
  adafactor: 'Memory-light Adam-like optimizer with factored second moments and relative steps.',
  lion: 'Sign of an interpolated momentum: every weight moves by ±lr (use a small lr).',
};

export const HYPERPARAMETER_HELP: Record<string, string> = {
  lr: 'learning rate: the size of each step',
  momentum: 'share of the previous step kept in the next one',
  dampening: 'share of the new gradient left out of the momentum',
  beta1: 'decay of the running mean of gradients',
  beta2: 'decay of the running mean of squared gradients',
  epsilon: 'small constant that keeps divisions finite',
  weightDecay: 'pulls weights towards zero (regularization)',
  amsgrad: 'use the largest second moment seen so far (AMSGrad)',
  nesterov: 'look-ahead (Nesterov) momentum',
  momentumDecay: 'how fast Nadam’s momentum schedule warms up',
  rho: 'decay of the running mean of squared gradients',
  centered: 'normalize by the variance rather than the second moment',
  lrDecay: 'learning-rate decay per step',
  initialAccumulatorValue: 'starting value of the squared-gradient sum',
  relativeStep: 'step size min(1e-2, 1/√t) instead of lr',
  scaleParameter: 'scale the step by the RMS of the weights',
  epsilon1: 'added to squared gradients',
  epsilon2: 'smallest weight RMS used to scale the step',
  clipThreshold: 'update clipping: largest RMS of an update',
  decayRate: 'second-moment decay: β2 = 1 − t^decayRate',
};

/** An optimizer's hyperparameters with their defaults, except its name and learning rate (for the app's form). */
export function optimizerDefaults(name: OptimizerName): Record<string, number | boolean> {
  const { name: _name, lr: _lr, ...rest } = optimizerConfigSchema.parse({ name }) as Record<string, unknown>;
  return rest as Record<string, number | boolean>;
}
