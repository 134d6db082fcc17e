/**
 * The Prometheus metrics of the scoring service (prom-client, one registry per server). Counters
 * and histograms are fed per request and per forward pass; the window gauges (drift, warning
 * share, error rate, latency) are read from the monitor's windows when /metrics is scraped.
 *
 *   tickwork_requests_total{model,route,status}          requests answered
 *   tickwork_rows_total{model,status}                    rows in predict requests
 *   tickwork_request_duration_seconds{model,route}       latency histogram
 *   tickwork_forward_pass_rows{model}                    rows per forward pass (micro-batches)
 *   tickwork_rows_with_warnings_total{model}             rows with at least one warning
 *   tickwork_rows_with_warnings_share{model}             …as a share of the drift window
 *   tickwork_input_psi{model,input}                      PSI against the training bins (window)
 *   tickwork_input_missing_share{model,input}            share of missing cells (window)
 *   tickwork_input_unseen_share{model,input}             share of unknown categories (window)
 *   tickwork_drift_window_rows{model}                    rows in the drift window
 *   tickwork_predict_error_rate{model}                   share of recent predict requests that failed
 *   tickwork_predict_latency_p95_seconds{model}          p95 latency of recent predict requests
 *   tickwork_alerts_total{model,kind}                    alert episodes started
 *   tickwork_alert_active{model,kind,input}              1 while an episode lasts
 *   tickwork_model_info{model,task,version}              1 per served model
 *   tickwork_workers                                     worker processes serving
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AlertNotice } from './alerts.js';
import type { InputDrift } from './drift-window.js';

export interface WindowReadings {
  model: string;
  windowRows: number;
  warningShare: number | null;
  errorRate: number | null;
  p95Ms: number | null;
  inputs: InputDrift[];
}

export interface MetricSources {
  windows(): WindowReadings[];
  alerts(): AlertNotice[];
  workers(): number;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'model' | 'route' | 'status'>;
  readonly rows: Counter<'model' | 'status'>;
  readonly duration: Histogram<'model' | 'route'>;
  readonly passRows: Histogram<'model'>;
  readonly warningRows: Counter<'model'>;
  readonly alertsFired: Counter<'model' | 'kind'>;

  constructor(models: Array<{ name: string; task: string; version: string }>, sources: MetricSources) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'tickwork_requests_total', help: 'Requests answered, by model (empty when none), route and HTTP status.', labelNames: ['model', 'route', 'status'], registers });
    this.rows = new Counter({ name: 'tickwork_rows_total', help: 'Rows in predict requests, by model and HTTP status.', labelNames: ['model', 'status'], registers });
    this.duration = new Histogram({ name: 'tickwork_request_duration_seconds', help: 'Time from a request\'s arrival to its answer, in seconds.', labelNames: ['model', 'route'], buckets: LATENCY_BUCKETS, registers });
    this.passRows = new Histogram({ name: 'tickwork_forward_pass_rows', help: 'Rows per forward pass; concurrent requests share one pass (micro-batching).', labelNames: ['model'], buckets: BATCH_BUCKETS, registers });
    this.warningRows = new Counter({ name: 'tickwork_rows_with_warnings_total', help: 'Scored rows with at least one warning (unseen category, value far outside the training range).', labelNames: ['model'], registers });
    this.alertsFired = new Counter({ name: 'tickwork_alerts_total', help: 'Alert episodes started, by model and kind (psi, error_rate, latency).', labelNames: ['model', 'kind'], registers });
    for (const m of models) {
      this.rows.inc({ model: m.name, status: '200' }, 0);
      this.warningRows.inc({ model: m.name }, 0);
    }

    const windowGauge = (name: string, help: string, read: (w: WindowReadings) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['model'],
        registers,
        collect() {
          this.reset();
          for (const w of sources.windows()) {
            const v = read(w);
            if (v !== null) this.set({ model: w.model }, v);
          }
        },
      });
    windowGauge('tickwork_drift_window_rows', 'Rows in the drift window (the most recent predict requests).', (w) => w.windowRows);
    windowGauge('tickwork_rows_with_warnings_share', 'Share of the drift window\'s rows with at least one warning.', (w) => w.warningShare);
    windowGauge('tickwork_predict_error_rate', 'Share of the recent predict requests answered with an error (4xx or 5xx).', (w) => w.errorRate);
    windowGauge('tickwork_predict_latency_p95_seconds', '95th-percentile latency of the recent predict requests, in seconds.', (w) => (w.p95Ms === null ? null : w.p95Ms / 1000));

    const inputGauge = (name: string, help: string, read: (d: InputDrift) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['model', 'input'],
        registers,
        collect() {
          this.reset();
          for (const w of sources.windows()) {
            for (const d of w.inputs) {
              const v = read(d);
              if (v !== null) this.set({ model: w.model, input: d.input }, v);
            }
          }
        },
      });
    inputGauge('tickwork_input_psi', 'Population stability index of the input over the drift window, against the training histogram (0: same; > 0.25: large shift).', (d) => d.psi);
    inputGauge('tickwork_input_missing_share', 'Share of the drift window\'s rows with the input missing.', (d) => d.missingShare);
    inputGauge('tickwork_input_unseen_share', 'Share of the drift window\'s non-missing values of a categorical input that are not among the model\'s categories.', (d) => d.unseenShare);

    new Gauge({
      name: 'tickwork_alert_active',
      help: '1 while an alert episode lasts, by model, kind and input (psi alerts).',
      labelNames: ['model', 'kind', 'input'],
      registers,
      collect() {
        this.reset();
        for (const a of sources.alerts()) this.set({ model: a.model, kind: a.kind, input: a.input ?? '' }, 1);
      },
    });
    const info = new Gauge({ name: 'tickwork_model_info', help: 'One per served model, with its task and version id.', labelNames: ['model', 'task', 'version'], registers });
    for (const m of models) info.set({ model: m.name, task: m.task, version: m.version }, 1);
    new Gauge({
      name: 'tickwork_workers',
      help: 'Worker processes serving requests.',
      registers,
      collect() {
        this.set(sources.workers());
      },
    });
  }

  async text(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
