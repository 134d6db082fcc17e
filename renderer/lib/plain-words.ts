/**
 * The service's messages in the user's words. A refused request reads
 * `training:start: invalid input — config.batchSize: batchSize must be <= 65536, received 1000000`;
 * the user sees "Batch size must be at most 65,536." next to the field and the button that asked.
 * Each issue keeps the path it came with, so the field it is about can be marked.
 */

/** The settings' names as the forms label them (the schema's field names, the last part of a path). */
const LABELS: Record<string, string> = {
  batchSize: 'Batch size',
  epochs: 'Epochs',
  lr: 'Learning rate',
  warmupSteps: 'Warmup steps',
  seed: 'Seed',
  accumulationSteps: 'Accumulate gradients',
  clipNorm: 'Clip gradient norm',
  clipValue: 'Clip each gradient value',
  patience: 'Patience',
  factor: 'LR factor',
  validation: 'Validation share',
  test: 'Test share',
  finalLr: 'Final LR',
  gamma: 'Gamma',
  stepSize: 'Step size',
  pctStart: 'Rising share',
  divFactor: 'Start divisor',
  finalDivFactor: 'End divisor',
  maxCategories: 'Category cap',
  threshold: 'Threshold',
  target: 'Column to predict',
  units: 'Units',
  dropout: 'Dropout',
};

export interface PlainIssue {
  /** The field's path as the service gave it, without the request's own prefix (`batchSize`, `optimizer.lr`); '' when none. */
  path: string;
  /** One sentence: what is wrong (and, where it helps, what to do). */
  text: string;
}

const number = (s: string) => {
  const n = Number(s);
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 10 }) : s;
};

/** A field name or path (`config.batchSize`, `model.layers.0.units`) as its label. */
export function labelOf(path: string): string {
  const parts = path.split('.').filter((p) => p !== 'config' && p !== 'input' && !/^\d+$/.test(p));
  const last = parts.at(-1) ?? path;
  return LABELS[last] ?? (last ? last[0].toUpperCase() + last.slice(1) : 'This value');
}

/** One schema message (`batchSize must be <= 65536, received 1000000`, zod's `Too big: expected number to be <1`) in plain words. */
export function plainIssue(path: string, message: string): string {
  const label = labelOf(path);
  const m = message.replace(/,\s*received .*$/s, '').trim();
  let match: RegExpExecArray | null;
  if ((match = /must be (<=|>=|<|>) (-?[\d.e+-]+)$/.exec(m)) || (match = /expected \w+ to be (<=|>=|<|>)\s*(-?[\d.e+-]+)$/.exec(m))) {
    const words = { '<=': 'at most', '>=': 'at least', '<': 'less than', '>': 'more than' }[match[1] as '<=' | '>=' | '<' | '>'];
    return `${label} must be ${words} ${number(match[2])}.`;
  }
  if (/whole number|expected int/i.test(m)) return `${label} must be a whole number.`;
  if (/must be a number|expected number/i.test(m)) return `${label} must be a number.`;
  if (/is required|cannot be empty/i.test(m)) return `${label} is needed.`;
  // Anything else: the message as given, as a sentence.
  const sentence = m.replace(/^\w+ (must|cannot)/, (_, verb: string) => `${label} ${verb}`);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/**
 * A refused request's message as issues: `channel: invalid input — a.b: msg; c: msg` gives one issue
 * per field; any other message (a TickworkError with its own words) is one issue without a path,
 * its `channel:` prefix dropped.
 */
export function plainIssues(message: string): PlainIssue[] {
  const invalid = /^[\w-]+:[\w-]+: invalid input — (.*)$/s.exec(message);
  if (!invalid) {
    const text = message.replace(/^[\w-]+:[\w-]+: /, '').trim();
    return [{ path: '', text: /[.!?]$/.test(text) ? text : `${text}.` }];
  }
  return invalid[1].split('; ').map((part) => {
    const at = part.indexOf(': ');
    const rawPath = at >= 0 ? part.slice(0, at) : '';
    const path = rawPath === '(input)' ? '' : rawPath.replace(/^(config|input)\./, '');
    return { path, text: plainIssue(path, at >= 0 ? part.slice(at + 2) : part) };
  });
}

/** A refused request's message as one line of plain words. */
export function plainMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return plainIssues(message)
    .map((i) => i.text)
    .join(' ');
}
