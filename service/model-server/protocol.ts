/**
 * What the scoring service's processes say to each other. The supervisor (the `tickwork
 * serve-model` process, or whoever called startModelServer) forks the workers that load tfjs and
 * answer HTTP; each worker reports what it did as counts, never as request bodies or row values.
 *
 *   supervisor → worker   start (config), metrics (text for a GET /metrics), drain
 *   worker → supervisor   listening | start-failed, reports (the requests answered and forward
 *                         passes run since the last one, every 25 ms and before a /metrics), metrics? (a GET /metrics arrived), log, drained
 */
import type { ErrorCode } from '../../shared/errors.js';
import type { BackendPreference } from '../../shared/run-config.js';

/** A model to serve: the name in its URL and the export folder or zip it is read from. */
export interface ModelRef {
  name: string;
  path: string;
}

export interface Limits {
  /** Largest request body, in bytes (a larger one is answered 413). */
  maxBodyBytes: number;
  /** Most rows in one predict request (more are answered 400). */
  maxRows: number;
}

export interface BatchOptions {
  /** Most rows in one forward pass; concurrent requests are merged up to this. */
  maxRows: number;
  /** How long a request may wait for others to join its forward pass, in ms (0: the same event-loop turn only). */
  maxWaitMs: number;
}

export interface WorkerConfig {
  models: ModelRef[];
  host: string;
  port: number;
  token: string;
  limits: Limits;
  batch: BatchOptions;
  backend: BackendPreference;
  /** Whole request (headers and body) must arrive within this many ms. */
  requestTimeoutMs: number;
  /** After a drain starts, requests still running after this many ms are cut off. */
  drainTimeoutMs: number;
}

export type Route = 'predict' | 'models' | 'card' | 'metrics' | 'health' | 'unknown';

/** Per input, what a request's rows looked like, aligned with the model's `features`. */
export interface InputCounts {
  /** Rows with no value. */
  missing: number;
  /** Non-missing rows per training bin (numeric: decile bins; categorical: categories then "(other)"; boolean: false, true); null where the export has no bins. */
  bins: number[] | null;
  /** Categorical: non-missing rows with a category never seen in training; null for other kinds. */
  unseen: number | null;
}

export interface DriftCounts {
  rows: number;
  inputs: InputCounts[];
}

/** One answered request, as counts and codes. */
export interface RequestObservation {
  /** A served model's name, or '' when the route names none (or an unknown one). */
  model: string;
  route: Route;
  status: number;
  /** Seconds from the request's arrival to its answer. */
  seconds: number;
  /** Rows scored (0 when the request failed). */
  rows: number;
  rowsWithWarnings: number;
  /** The rows' drift counts (inside the worker; reports carry them added up per model, as DriftReport). */
  drift: DriftCounts | null;
  /** Why it failed, as a code (e.g. missing_columns); never the message, which may quote values. */
  error?: string;
}

/** Drift counts of a model's rows scored since the last report: small requests added up into chunks of ≥ 50 rows, larger ones alone. */
export interface DriftReport {
  model: string;
  counts: DriftCounts;
  rowsWithWarnings: number;
}

/** One forward pass of a worker: how many requests and rows it merged. */
export interface ForwardPass {
  model: string;
  rows: number;
  requests: number;
  seconds: number;
}

export type SupervisorToWorker =
  | { type: 'start'; worker: number; config: WorkerConfig }
  | { type: 'metrics'; id: number; contentType: string; text: string }
  | { type: 'drain' };

export type WorkerToSupervisor =
  | { type: 'listening'; port: number; backend: string }
  | { type: 'start-failed'; code: ErrorCode; message: string }
  | { type: 'reports'; observations: RequestObservation[]; passes: ForwardPass[]; drift: DriftReport[] }
  | { type: 'metrics?'; id: number }
  | { type: 'log'; line: string }
  | { type: 'drained' };
