/**
 * Flag parsing shared by the commands: numbers and choices checked with the flag named, the
 * run settings from train/lr-find/race flags, and error messages in terms of the flags typed.
 */
import { existsSync } from 'node:fs';
import type { DatasetSource } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import {
  ACTIVATIONS,
  BACKEND_PREFERENCES,
  NUMERIC_IMPUTES,
  OPTIMIZER_NAMES,
  SCALINGS,
  SCHEDULE_KINDS,
  TASKS,
  type ColumnPrep,
  type RunConfigInput,
} from '../shared/run-config.js';
import { backendPreferenceFromEnv } from '../models/backend-preference.js';
import { listBundled } from '../models/data/bundled.js';

/** One entry of --hidden: a size, or a layer with its own settings. */
export type HiddenLayerInput = NonNullable<NonNullable<RunConfigInput['model']>['hidden']>[number];

export class UsageError extends TickworkError {
  constructor(message: string) {
    super('invalid_input', `${message}\nRun "tickwork --help" for usage.`);
  }
}

export function numberFlag(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'}, received "${value}"`);
  }
  return n;
}

export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, received "${value}"`);
  return value as T;
}

/** One --hidden layer: "64", or "128:bn:dropout=0.2:tanh:l2=1e-4" (the service checks the ranges). */
export function hiddenLayer(text: string): HiddenLayerInput {
  const [units, ...options] = text.trim().split(':');
  const size = numberFlag('hidden', units, true)!;
  if (options.length === 0) return size;
  const layer: Exclude<HiddenLayerInput, number> = { units: size };
  for (const option of options) {
    const [key, value] = option.split('=');
    if (value === undefined && (ACTIVATIONS as readonly string[]).includes(key)) layer.activation = key as (typeof ACTIVATIONS)[number];
    else if (value === undefined && (key === 'bn' || key === 'batchnorm')) layer.batchNorm = true;
    else if (value !== undefined && (key === 'dropout' || key === 'l1' || key === 'l2')) layer[key] = numberFlag(`hidden ${key}`, value, false);
    else {
      throw new UsageError(
        `--hidden layer "${text}": "${option}" is not a layer option. After the units, use an activation (${ACTIVATIONS.join(', ')}), bn, dropout=R, l1=R or l2=R, separated by colons.`,
      );
    }
  }
  return layer;
}

/** A bundled name, or a path to a file. */
export function sourceOf(value: string, sheet?: string): DatasetSource {
  const looksLikePath = /[\\/.]/.test(value) || existsSync(value);
  if (looksLikePath) return { kind: 'file', path: value, ...(sheet ? { sheet } : {}) };
  if (listBundled().some((d) => d.name === value)) return { kind: 'bundled', name: value };
  throw new TickworkError(
    'not_found',
    `"${value}" is neither a file nor a bundled dataset. Bundled datasets: ${listBundled()
      .map((d) => d.name)
      .join(', ')}.`,
  );
}

/** Schema paths → CLI flags, so a validation error names what the user typed. */
export const FLAG_OF: Record<string, string> = {
  'config.threshold': '--threshold',
  // Top-level request fields: only the path before the colon (the message names the field too).
  'repeats:': '--repeats:',
  'cv:': '--cv:',
  'config.positiveClass': '--positive',
  'config.optimizer.lr': '--lr',
  'config.optimizer.weightDecay': '--weight-decay',
  'config.model.dropout': '--dropout',
  'config.model.l2': '--l2',
  'config.clipNorm': '--clip-norm',
  'config.accumulationSteps': '--accumulate',
  'config.earlyStopping.patience': '--early-stopping',
  'config.schedule.warmupSteps': '--warmup-steps',
  'config.epochs': '--epochs',
  'config.batchSize': '--batch-size',
  'config.seed': '--seed',
  'config.model.hidden': '--hidden',
};

export function cliMessage(err: TickworkError): string {
  let message = err.message;
  // A per-layer setting: "config.model.hidden.0.dropout" → "--hidden layer 1 dropout".
  message = message.replace(/config\.model\.hidden\.(\d+)\.(\w+)/g, (_, i: string, key: string) => `--hidden layer ${Number(i) + 1} ${key}`);
  for (const [path, flag] of Object.entries(FLAG_OF)) message = message.split(path).join(flag);
  return message.replace(/^training:(start|lr-find): invalid input — /, '');
}

export type Flags = Record<string, string | boolean | undefined>;

export function listFlag(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

export function preprocessingFromFlags(values: Flags): NonNullable<RunConfigInput['preprocessing']> {
  const get = (k: string) => values[k] as string | undefined;
  const columns: Record<string, ColumnPrep> = {};
  for (const name of listFlag(get('ignore'))) columns[name] = { ...columns[name], role: 'ignore' };
  for (const name of listFlag(get('categorical'))) columns[name] = { ...columns[name], treatAs: 'categorical' };
  return {
    numericImpute: oneOf('impute', get('impute'), NUMERIC_IMPUTES),
    scale: oneOf('scale', get('scale'), SCALINGS),
    maxCategories: numberFlag('max-categories', get('max-categories'), true),
    columns,
  };
}

/** The run settings shared by train, lr-find and race, from their flags. */
export function configFromFlags(values: Flags): RunConfigInput {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('target')) throw new UsageError('needs --target <column>');
  const hiddenFlag = get('hidden');
  const hidden =
    hiddenFlag === undefined ? undefined : hiddenFlag.trim() === '' || hiddenFlag.trim() === '0' ? [] : hiddenFlag.split(',').map(hiddenLayer);
  const optimizerName = oneOf('optimizer', get('optimizer'), OPTIMIZER_NAMES) ?? 'adam';
  const lr = numberFlag('lr', get('lr'), false);
  const weightDecay = numberFlag('weight-decay', get('weight-decay'), false);
  const patience = numberFlag('early-stopping', get('early-stopping'), true);
  const classWeights = get('class-weights');
  if (classWeights !== undefined && classWeights !== 'balanced' && classWeights !== 'none') {
    throw new UsageError(`--class-weights must be balanced or none, received "${classWeights}"`);
  }
  return {
    target: get('target')!,
    task: oneOf('task', get('task'), TASKS),
    ...(get('positive') !== undefined ? { positiveClass: get('positive') } : {}),
    threshold: numberFlag('threshold', get('threshold'), false),
    model: {
      hidden,
      activation: oneOf('activation', get('activation'), ACTIVATIONS),
      dropout: numberFlag('dropout', get('dropout'), false),
      batchNorm: values['batch-norm'] === true ? true : undefined,
      l2: numberFlag('l2', get('l2'), false),
    },
    optimizer: { name: optimizerName, ...(lr !== undefined ? { lr } : {}), ...(weightDecay !== undefined ? { weightDecay } : {}) } as RunConfigInput['optimizer'],
    schedule: { kind: oneOf('schedule', get('schedule'), SCHEDULE_KINDS), warmupSteps: numberFlag('warmup-steps', get('warmup-steps'), true) },
    epochs: numberFlag('epochs', get('epochs'), true),
    batchSize: numberFlag('batch-size', get('batch-size'), true),
    seed: numberFlag('seed', get('seed'), true),
    clipNorm: numberFlag('clip-norm', get('clip-norm'), false),
    accumulationSteps: numberFlag('accumulate', get('accumulate'), true),
    classWeights: classWeights as 'balanced' | 'none' | undefined,
    preprocessing: preprocessingFromFlags(values),
    earlyStopping: patience === undefined ? undefined : patience === 0 ? null : { patience },
    backend: backendPreferenceFromEnv(oneOf('backend', get('backend'), BACKEND_PREFERENCES)),
  };
}
