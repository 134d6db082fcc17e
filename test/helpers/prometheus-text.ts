/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every
 * line must be a # HELP, a # TYPE, a comment, blank, or a sample of a declared family, with
 * well-formed labels and a float value; histogram buckets must be cumulative and end at +Inf =
 * _count. Throws naming the line otherwise. (prom-client writes the text; this checks it
 * independently. The npm parsers tried accept garbage lines.)
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const VALUE = '(?:[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)|[+-]?Inf|NaN)';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL}="(?:[^"\\\\\\n]|\\\\[\\\\"n])*",?)*)\\})? (${VALUE})(?: (-?\\d+))?$`);
const LABEL_PAIR = new RegExp(`(${LABEL})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`, 'g');

function toNumber(text: string): number {
  if (/^\+?Inf$/.test(text)) return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const familyOf = (sample: string): Family | undefined => {
    if (families.has(sample)) return families.get(sample);
    const base = sample.replace(/_(bucket|sum|count)$/, '');
    const f = families.get(base);
    return f && (f.type === 'histogram' || f.type === 'summary') ? f : undefined;
  };
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const help = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
      const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
      if (help) {
        const f = families.get(help[1]) ?? { name: help[1], type: 'untyped' as const, help: '', samples: [] };
        f.help = help[2];
        families.set(help[1], f);
      } else if (type) {
        const f = families.get(type[1]) ?? { name: type[1], type: 'untyped' as const, help: '', samples: [] };
        if (f.samples.length > 0) throw new Error(`${where}: TYPE after samples`);
        f.type = type[2] as Family['type'];
        families.set(type[1], f);
      } else if (/^# (HELP|TYPE)/.test(line)) throw new Error(`${where}: malformed HELP/TYPE`);
      return;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`${where}: not a sample line`);
    const family = familyOf(m[1]);
    if (!family) throw new Error(`${where}: sample of an undeclared family`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(LABEL_PAIR)) {
      if (pair[1] in labels) throw new Error(`${where}: label ${pair[1]} twice`);
      labels[pair[1]] = pair[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    family.samples.push({ name: m[1], labels, value: toNumber(m[3]) });
  });
  for (const f of families.values()) {
    if (f.type === 'counter' && f.samples.some((s) => !(s.value >= 0))) throw new Error(`${f.name}: a counter below 0`);
    if (f.type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const s of f.samples.filter((x) => x.name === `${f.name}_bucket`)) {
      const { le, ...rest } = s.labels;
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, buckets] of series) {
      for (let b = 1; b < buckets.length; b++) {
        if (toNumber(buckets[b].labels.le) <= toNumber(buckets[b - 1].labels.le) || buckets[b].value < buckets[b - 1].value) throw new Error(`${f.name}${key}: buckets not cumulative`);
      }
      const last = buckets.at(-1)!;
      const count = f.samples.find((s) => s.name === `${f.name}_count` && JSON.stringify(s.labels) === key);
      if (last.labels.le !== '+Inf' || !count || count.value !== last.value) throw new Error(`${f.name}${key}: +Inf bucket must equal _count`);
    }
  }
  return families;
}

/** The value of one sample (labels must match exactly the given ones, others ignored); undefined when absent. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const base = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''));
  return base?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
