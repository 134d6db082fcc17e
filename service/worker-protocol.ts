/**
 * Messages between the WorkbenchService and the training worker (a Node worker thread, or an
 * Electron utility process). Plain structured-clone data; every run message carries its runId so
 * that late messages from a stopped run are dropped.
 */
import type { BackendInfo, EpochRecord, EventChannel, EventPayload, SplitMetrics } from '../shared/contract.js';
import type { BackendPreference, RunConfig } from '../shared/run-config.js';
import type { ErrorCode } from '../shared/errors.js';
import type { TrainInput } from '../models/train/loop.js';
import type { LrFinderOptions, LrFinderResult } from '../models/train/lr-finder.js';
import type { HyperparameterChanges, RunEvent } from '../models/train/callbacks.js';
import type { Results } from '../models/train/results.js';
import type { SurfaceInput } from '../models/train/surface-reporter.js';
import type { ModelArtifactsData } from '../models/io/model-files.js';
import type { RunAssessment } from '../models/evaluation/run-assessment.js';

/** The contract events a run's worker sends as they are, for the page (the service records and forwards them). */
export type WorkerEventChannel = Extract<EventChannel, 'training:progress' | 'training:epoch' | 'training:event'>;
/** One such event in contract form: its channel and its payload. */
export type RunEmit = { [C in WorkerEventChannel]: { channel: C; payload: EventPayload<C> } }[WorkerEventChannel];

/** surface: the decision-surface grid, encoded, scored while training (null: none). */
export type TrainRequest = { type: 'train'; runId: string; config: RunConfig; surface?: SurfaceInput | null; labels?: string[] | null } & Omit<TrainInput, 'config'>;

export type HostToWorker =
  | { type: 'init'; backend: BackendPreference }
  | TrainRequest
  | { type: 'stop'; runId: string }
  | { type: 'pause'; runId: string }
  | { type: 'resume'; runId: string }
  | { type: 'update'; runId: string; changes: HyperparameterChanges }
  | { type: 'surface-grid'; runId: string; grid: SurfaceInput | null }
  | { type: 'predict'; requestId: number; modelId: string; artifacts: ModelArtifactsData | null; x: Float32Array; rows: number; cols: number }
  | { type: 'forget'; modelId: string }
  | { type: 'lr-find'; requestId: number; request: Omit<TrainRequest, 'type' | 'runId'>; options: LrFinderOptions };

export type WorkerToHost =
  | { type: 'ready'; backend: BackendInfo; versions: Record<string, string> }
  | { type: 'init-failed'; message: string }
  | ({ type: 'emit'; runId: string } & RunEmit)
  | { type: 'results'; runId: string; epoch: number; results: Results }
  | { type: 'surface'; runId: string; step: number; epoch: number; output: Float32Array }
  | { type: 'checkpoint'; runId: string; epoch: number; artifacts: ModelArtifactsData }
  | {
      type: 'finished';
      runId: string;
      status: 'completed' | 'stopped' | 'failed';
      message: string;
      history: EpochRecord[];
      events: RunEvent[];
      metrics: SplitMetrics;
      artifacts: ModelArtifactsData;
      backend: BackendInfo;
      /** The constant and linear baselines on the same rows, and warnings about what the network learned. */
      baselines: RunAssessment['baselines'];
      warnings: RunAssessment['warnings'];
    }
  | { type: 'run-error'; runId: string; message: string }
  | { type: 'predicted'; requestId: number; output: Float32Array; units: number }
  | { type: 'lr-found'; requestId: number; result: LrFinderResult }
  /** code: the TickworkError's code when the worker threw one (a user error, e.g. an unavailable backend); else internal. */
  | { type: 'request-error'; requestId: number; message: string; code?: ErrorCode };

/** The two ends a worker implementation must provide (worker_threads, utilityProcess, …). */
export interface WorkerEndpoint {
  post(message: HostToWorker): void;
  onMessage(listener: (message: WorkerToHost) => void): void;
  onExit(listener: (info: { code: number | null; reason: string }) => void): void;
  terminate(): Promise<void>;
}

export type WorkerLauncher = () => WorkerEndpoint;
