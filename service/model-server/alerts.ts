/**
 * Alerts on drift, error rate and latency, each once per episode.
 *
 * An episode starts when a watched value reaches its threshold: one log line, and with a
 * webhook one JSON POST (state "firing"). It ends when the value falls below 80% of the
 * threshold (the margin keeps a value hovering at the threshold from firing again and again):
 * one "resolved" line and POST. A value that cannot be computed yet (too few rows) changes
 * nothing. Notices hold aggregate numbers only — never rows or values.
 */
export type AlertKind = 'psi' | 'error_rate' | 'latency';

export interface AlertRules {
  /** Population stability index of any input (default 0.2). */
  psi: number | null;
  /** Share of predict requests answered with an error, 0–1. */
  errorRate: number | null;
  /** 95th-percentile latency of predict requests, in ms. */
  latencyMs: number | null;
  /** http(s) URL that receives a JSON POST per notice. */
  webhook: string | null;
}

export interface AlertNotice {
  source: 'tickwork serve-model';
  state: 'firing' | 'resolved';
  kind: AlertKind;
  model: string;
  /** The input, for psi alerts. */
  input: string | null;
  value: number;
  threshold: number;
  message: string;
  at: string;
}

/** An episode ends below this share of the threshold. */
export const RESOLVE_RATIO = 0.8;
const WEBHOOK_TIMEOUT_MS = 5000;

const DESCRIBE: Record<AlertKind, (value: number, threshold: number, input: string | null) => string> = {
  psi: (v, t, input) => `input "${input}" has drifted from the training data: PSI ${v.toFixed(3)} ≥ ${t}`,
  error_rate: (v, t) => `${(100 * v).toFixed(1)}% of recent predict requests failed (threshold ${(100 * t).toFixed(1)}%)`,
  latency: (v, t) => `p95 latency of recent predict requests is ${v.toFixed(1)} ms (threshold ${t} ms)`,
};

export class Alerts {
  readonly #rules: AlertRules;
  readonly #log: (line: string) => void;
  readonly #onFire: (notice: AlertNotice) => void;
  readonly #active = new Map<string, AlertNotice>();
  readonly #pending = new Set<Promise<void>>();
  #fired = 0;

  constructor(rules: AlertRules, log: (line: string) => void, onFire: (notice: AlertNotice) => void = () => undefined) {
    this.#rules = rules;
    this.#log = log;
    this.#onFire = onFire;
  }

  threshold(kind: AlertKind): number | null {
    return kind === 'psi' ? this.#rules.psi : kind === 'error_rate' ? this.#rules.errorRate : this.#rules.latencyMs;
  }

  /** Look at a value; fire or resolve the episode of (kind, model, input). */
  check(kind: AlertKind, model: string, input: string | null, value: number | null): void {
    const threshold = this.threshold(kind);
    if (threshold === null || value === null || !Number.isFinite(value)) return;
    const key = `${kind}\u0000${model}\u0000${input ?? ''}`;
    const active = this.#active.get(key);
    if (!active && value >= threshold) {
      const notice = this.#notice('firing', kind, model, input, value, threshold);
      this.#active.set(key, notice);
      this.#fired++;
      this.#onFire(notice);
      this.#send(notice);
    } else if (active && value < RESOLVE_RATIO * threshold) {
      this.#active.delete(key);
      this.#send(this.#notice('resolved', kind, model, input, value, threshold));
    }
  }

  /** Episodes now firing. */
  active(): AlertNotice[] {
    return [...this.#active.values()];
  }

  get fired(): number {
    return this.#fired;
  }

  /** Wait for webhook posts still on their way (at most their timeout). */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  #notice(state: AlertNotice['state'], kind: AlertKind, model: string, input: string | null, value: number, threshold: number): AlertNotice {
    const what = DESCRIBE[kind](value, threshold, input);
    return {
      source: 'tickwork serve-model',
      state,
      kind,
      model,
      input,
      value,
      threshold,
      message: state === 'firing' ? `model "${model}": ${what}` : `model "${model}": resolved — ${kind === 'psi' ? `input "${input}" PSI` : kind.replace('_', ' ')} is back to ${kind === 'error_rate' ? `${(100 * value).toFixed(1)}%` : value.toFixed(3)}`,
      at: new Date().toISOString(),
    };
  }

  #send(notice: AlertNotice): void {
    this.#log(`${notice.state === 'firing' ? 'ALERT' : 'alert resolved'}: ${notice.message}`);
    const url = this.#rules.webhook;
    if (!url) return;
    const post = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(notice),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    })
      .then(async (res) => {
        await res.body?.cancel();
        if (!res.ok) this.#log(`alert webhook answered ${res.status}; the notice was not accepted.`);
      })
      .catch((err: Error) => this.#log(`alert webhook could not be reached (${err.name === 'TimeoutError' ? `no answer in ${WEBHOOK_TIMEOUT_MS / 1000} s` : ((err.cause as Error | undefined)?.message ?? err.message)}).`))
      .finally(() => this.#pending.delete(post));
    this.#pending.add(post);
  }
}
