/**
 * The Training form's fields checked against the run-config schema (shared/), as the user types:
 * each issue goes to the field it is about (its input's id), in plain words. The service checks
 * the same schema, so what passes here passes there; a refusal from the service is mapped to its
 * field the same way.
 */
import { runConfigInputSchema, type RunConfigInput } from '../../../shared/run-config.js';
import { plainIssue, type PlainIssue } from '../../lib/plain-words.js';

/** A config path (`batchSize`, `optimizer.lr`, `schedule.gamma`) → the id of the input that sets it. */
export function fieldOf(path: string): string | null {
  const fixed: Record<string, string> = {
    batchSize: 'batch',
    epochs: 'epochs',
    'optimizer.lr': 'lr',
    'schedule.warmupSteps': 'warmup',
    seed: 'seed',
    accumulationSteps: 'accumulation',
    clipNorm: 'clip-norm',
    clipValue: 'clip-value',
    'earlyStopping.patience': 'patience',
    'reduceOnPlateau.factor': 'plateau-factor',
    'reduceOnPlateau.patience': 'plateau-patience',
    'split.validation': 'val-share',
    'split.test': 'test-share',
  };
  if (path in fixed) return fixed[path];
  const [head, key] = path.split('.');
  if (head === 'schedule' && key) return `sched-${key}`;
  if (head === 'optimizer' && key) return `hp-${key}`;
  return null;
}

/** What to do, after what is wrong, for the fields that have an automatic choice or an off. */
const WHAT_TO_DO: Record<string, string> = {
  batch: 'Enter a smaller number, or leave it empty for auto (32).',
  epochs: 'Enter another number, or leave it empty for auto.',
  'clip-norm': 'Leave it empty for no clipping.',
  'clip-value': 'Leave it empty for no clipping.',
};

/** The issues of a config, by input id (one sentence each); fields without an input of their own are left out. */
export function fieldIssues(config: RunConfigInput): Record<string, string> {
  const parsed = runConfigInputSchema.safeParse(config);
  if (parsed.success) return {};
  const out: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.join('.');
    const field = fieldOf(path);
    if (!field || out[field]) continue;
    out[field] = withAdvice(field, plainIssue(path, issue.message));
  }
  return out;
}

/** A refusal's issues that name a field, by input id. */
export function refusedFields(issues: PlainIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const field = fieldOf(issue.path);
    if (field && !out[field]) out[field] = withAdvice(field, issue.text);
  }
  return out;
}

function withAdvice(field: string, text: string): string {
  return WHAT_TO_DO[field] ? `${text} ${WHAT_TO_DO[field]}` : text;
}
