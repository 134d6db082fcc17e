/**
 * The supervisor's view of everything the workers answered: Prometheus metrics, each model's
 * drift and request windows, and the alerts on them. It lives in one process for all workers,
 * so counters add up across workers and an alert episode fires once, not once per worker.
 */
import type { PreprocessingSpec } from '../../models/prep/preprocessing.js';
import { Alerts, type AlertNotice, type AlertRules } from './alerts.js';
import { DEFAULT_DRIFT_WINDOW, DriftWindow, type InputDrift } from './drift-window.js';
import { ServiceMetrics, type WindowReadings } from './metrics.js';
import type { DriftCounts, RequestObservation } from './protocol.js';
import { RequestWindow } from './request-window.js';

export interface ModelStats {
  requests: number;
  failedRequests: number;
  rows: number;
  rowsWithWarnings: number;
  /** Over the drift window (the most recent rows). */
  windowRows: number;
  warningShare: number | null;
  /** Over the most recent predict requests. */
  errorRate: number | null;
  p95Ms: number | null;
  drift: InputDrift[];
}

export interface ServiceStats {
  startedAt: string;
  /** Requests answered on every route, including health checks and refused ones. */
  requests: number;
  models: Record<string, ModelStats>;
  alerts: AlertNotice[];
}

interface Watched {
  spec: PreprocessingSpec;
  drift: DriftWindow;
  recent: RequestWindow;
  requests: number;
  failedRequests: number;
  rows: number;
  rowsWithWarnings: number;
}

export interface MonitorOptions {
  rules: AlertRules;
  driftWindow?: number;
  log: (line: string) => void;
  workers: () => number;
}

export class Monitor {
  readonly #models = new Map<string, Watched>();
  readonly #alerts: Alerts;
  readonly #metrics: ServiceMetrics;
  readonly #startedAt = new Date().toISOString();
  #requests = 0;

  constructor(models: Array<{ name: string; spec: PreprocessingSpec; version: string }>, options: MonitorOptions) {
    for (const m of models) {
      this.#models.set(m.name, {
        spec: m.spec,
        drift: new DriftWindow(m.spec, options.driftWindow ?? DEFAULT_DRIFT_WINDOW),
        recent: new RequestWindow(),
        requests: 0,
        failedRequests: 0,
        rows: 0,
        rowsWithWarnings: 0,
      });
    }
    this.#alerts = new Alerts(options.rules, options.log, (notice) => this.#metrics.alertsFired.inc({ model: notice.model, kind: notice.kind }));
    this.#metrics = new ServiceMetrics(
      models.map((m) => ({ name: m.name, task: m.spec.task, version: m.version })),
      { windows: () => this.#readings(), alerts: () => this.#alerts.active(), workers: options.workers },
    );
  }

  observe(o: RequestObservation): void {
    this.#requests++;
    const status = String(o.status);
    this.#metrics.requests.inc({ model: o.model, route: o.route, status });
    this.#metrics.duration.observe({ model: o.model, route: o.route }, o.seconds);
    const watched = this.#models.get(o.model);
    if (o.route !== 'predict' || !watched) return;
    const failed = o.status >= 400;
    this.#metrics.rows.inc({ model: o.model, status }, o.rows);
    this.#metrics.warningRows.inc({ model: o.model }, o.rowsWithWarnings);
    watched.requests++;
    if (failed) watched.failedRequests++;
    watched.rows += o.rows;
    watched.rowsWithWarnings += o.rowsWithWarnings;
    watched.recent.add(failed, o.seconds * 1000);
    if (this.#alerts.threshold('error_rate') !== null) this.#alerts.check('error_rate', o.model, null, watched.recent.errorRate());
    if (this.#alerts.threshold('latency') !== null) this.#alerts.check('latency', o.model, null, watched.recent.p95Ms());
    if (o.drift) this.drift(o.model, o.drift, o.rowsWithWarnings);
  }

  /** Rows' drift counts (one request's, or several added up by a worker) into the model's window. */
  drift(model: string, counts: DriftCounts, rowsWithWarnings: number): void {
    const watched = this.#models.get(model);
    if (!watched) return;
    watched.drift.add(counts, rowsWithWarnings);
    if (this.#alerts.threshold('psi') !== null) for (const d of watched.drift.inputs()) this.#alerts.check('psi', model, d.input, d.psi);
  }

  /** One forward pass of a worker (its size shows how well requests are batched). */
  forward(model: string, rows: number): void {
    if (this.#models.has(model)) this.#metrics.passRows.observe({ model }, rows);
  }

  #readings(): WindowReadings[] {
    return [...this.#models].map(([model, w]) => ({
      model,
      windowRows: w.drift.rows,
      warningShare: w.drift.warningShare(),
      errorRate: w.recent.errorRate(),
      p95Ms: w.recent.p95Ms(),
      inputs: w.drift.inputs(),
    }));
  }

  metrics(): Promise<{ contentType: string; text: string }> {
    return this.#metrics.text();
  }

  stats(): ServiceStats {
    const models: Record<string, ModelStats> = {};
    for (const r of this.#readings()) {
      const w = this.#models.get(r.model)!;
      models[r.model] = {
        requests: w.requests,
        failedRequests: w.failedRequests,
        rows: w.rows,
        rowsWithWarnings: w.rowsWithWarnings,
        windowRows: r.windowRows,
        warningShare: r.warningShare,
        errorRate: r.errorRate,
        p95Ms: r.p95Ms,
        drift: r.inputs,
      };
    }
    return { startedAt: this.#startedAt, requests: this.#requests, models, alerts: this.#alerts.active() };
  }

  /** Wait for alert webhooks still being posted. */
  close(): Promise<void> {
    return this.#alerts.flush();
  }
}
